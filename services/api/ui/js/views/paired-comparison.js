import { formatPercent } from '../lib/format.js';
import { html } from '../lib/html.js';

const pp = (d) => (d === null || d === undefined ? '—' : `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} pp`);
const interval = (ci) => (ci ? `${pp(ci.low)} to ${pp(ci.high)}` : '—');

/** A p-value as text: "< 0.001" below a thousandth, else three decimals; "—" with no discordant pair. */
export function formatP(p) {
  if (p === null || p === undefined) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** The comparison's warnings (unfinished runs, grids that do not match), each as the api words it. */
export function ComparisonWarnings({ warnings }) {
  if (!warnings || warnings.length === 0) return null;
  return html`<ul class="warnings" data-warnings=${warnings.length}>${warnings.map((w) => html`<li data-code=${w.code}>⚠ ${w.message}</li>`)}</ul>`;
}

/** `by_agent` of GET /runs/compare: per pair, both rates, the paired difference with its bootstrap interval, and McNemar's p. */
export function ByAgentTable({ rows, sideA = 'a', sideB = 'b' }) {
  return html`
    <table class="data by-agent">
      <thead><tr>
        <th>Agent (${sideA})</th><th>Agent (${sideB})</th><th class="num" title="problems both sides scored">Pairs</th>
        <th class="num">Success ${sideA}</th><th class="num">Success ${sideB}</th>
        <th class="num" title="success rate a − b, paired by problem">Difference</th>
        <th title="95 % paired (cluster) bootstrap interval of the difference">95 % interval</th>
        <th class="num" title="problems solved (by most repeats) by one side only">Only ${sideA} / only ${sideB}</th>
        <th class="num" title="exact McNemar test on the discordant problems (two-sided)">McNemar p</th>
      </tr></thead>
      <tbody>${rows.map((r) => {
        const excludesZero = r.difference_ci && (r.difference_ci.low > 0 || r.difference_ci.high < 0);
        return html`
        <tr data-agent-a=${r.agent_a} data-agent-b=${r.agent_b}>
          <td>${r.agent_a}</td><td>${r.agent_b}</td><td class="num">${r.problems}</td>
          <td class="num">${formatPercent(r.success_rate_a)}</td><td class="num">${formatPercent(r.success_rate_b)}</td>
          <td class="num" data-stat="difference">${pp(r.difference)}</td>
          <td class=${excludesZero ? 'significant' : ''} data-stat="interval">${interval(r.difference_ci)}${r.difference_ci ? (excludesZero ? ' (excludes 0)' : ' (includes 0)') : ''}</td>
          <td class="num">${r.solved_only_by_a} / ${r.solved_only_by_b}</td>
          <td class=${`num p-value${r.mcnemar_p !== null && r.mcnemar_p < 0.05 ? ' significant' : ''}`} data-stat="p">${formatP(r.mcnemar_p)}</td>
        </tr>`;
      })}</tbody>
    </table>`;
}
