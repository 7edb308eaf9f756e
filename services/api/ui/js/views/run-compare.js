import { ErrorNotice } from '../components/error-notice.js';
import { api, query } from '../lib/api.js';
import { formatPercent, formatTime, shortId } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';
import { ByAgentTable, ComparisonWarnings, formatP } from './paired-comparison.js';

function points(p) {
  return p === null || p === undefined ? '—' : `${p >= 0 ? '+' : '−'}${Math.abs(p * 100).toFixed(1)}`;
}

function SolvedBy({ title, items }) {
  return html`
    <div class="solved-by">
      <h3>${title} <span class="muted">(${items.length})</span></h3>
      ${items.length === 0 ? html`<p class="muted small">none</p>` : html`
        <table class="data compact">
          <thead><tr><th>Problem</th><th>Agent</th><th class="num">This run</th><th class="num">Other run</th></tr></thead>
          <tbody>${items.map((p) => html`<tr><td class="wrap">${p.problem_id}</td><td>${p.agent_label ?? ''}</td><td class="num">${formatPercent(p.success_rate_a, 0)}</td><td class="num">${formatPercent(p.success_rate_b, 0)}</td></tr>`)}</tbody>
        </table>`}
    </div>`;
}

/** GET /runs/compare?a=&b= rendered: the paired difference with its uncertainty, and who solved what. */
function Comparison({ c }) {
  const significant = c.difference_ci95 && (c.difference_ci95[0] > 0 || c.difference_ci95[1] < 0);
  const pairing = c.pairing === 'problem' ? 'by problem (one agent each)' : `by problem and agent (${c.agent_labels.join(', ')})`;
  return html`
    <div class="comparison" data-pairs=${c.pairs}>
      <div class="stats">
        <div class="stat"><span class="stat-value">${formatPercent(c.success_rate_a)}</span><span class="stat-label">this run: ${c.a.name}</span></div>
        <div class="stat"><span class="stat-value">${formatPercent(c.success_rate_b)}</span><span class="stat-label">other run: ${c.b.name}</span></div>
        <div class="stat">
          <span class="stat-value" data-stat="difference">${points(c.difference)} <small>± ${c.difference_stderr === null ? '—' : (c.difference_stderr * 100).toFixed(1)} pp</small></span>
          <span class="stat-label">difference (this − other), ± standard error${c.difference_ci95 ? `; 95 % interval ${points(c.difference_ci95[0])} to ${points(c.difference_ci95[1])} pp` : ''}</span>
        </div>
      </div>
      <p class="small">
        ${[
          `${c.pairs} paired ${c.pairs === 1 ? 'problem' : 'problems'}, ${pairing}.`,
          c.difference_ci95 ? (significant ? 'The 95 % interval excludes zero.' : 'The 95 % interval includes zero: no clear difference.') : 'Too few pairs for an interval.',
          `McNemar p (pooled) ${formatP(c.mcnemar_p)}.`,
          c.unpaired.a + c.unpaired.b > 0 ? `Unpaired (scored in one run only): ${c.unpaired.a} here, ${c.unpaired.b} there.` : '',
        ].join(' ')}
      </p>
      <${ComparisonWarnings} warnings=${c.warnings} />
      ${c.by_agent && c.by_agent.length ? html`<h3>By agent (this run's a against the other run's b)</h3><${ByAgentTable} rows=${c.by_agent} />` : null}
      <div class="grid-2">
        <${SolvedBy} title="Solved only by this run" items=${c.solved_only_by_a} />
        <${SolvedBy} title="Solved only by the other run" items=${c.solved_only_by_b} />
      </div>
    </div>`;
}

/**
 * A picker of recent runs (GET /runs) and the comparison with the chosen one. The choice lives
 * in the page's query string (?compare=<id>), so a comparison is a link too.
 */
export function RunCompare({ runId, otherId, onPick }) {
  const runs = usePoll((signal) => api(`/runs${query({ limit: 100 })}`, { signal }), 0, []);
  const comparison = usePoll((signal) => (otherId ? api(`/runs/compare${query({ a: runId, b: otherId })}`, { signal }) : Promise.resolve(null)), 0, [runId, otherId]);
  const others = (runs.data?.runs ?? []).filter((r) => r.run_id !== runId);
  const listed = !otherId || others.some((r) => r.run_id === otherId);
  return html`
    <div class="compare">
      <label class="inline">Compare with
        <select name="compare" value=${otherId ?? ''} onChange=${(e) => onPick(e.currentTarget.value || null)}>
          <option value="">pick a run…</option>
          ${listed ? null : html`<option value=${otherId}>${shortId(otherId)}</option>`}
          ${others.map((r) => html`<option value=${r.run_id}>${r.name} · ${shortId(r.run_id)} · ${formatTime(r.created_at)}</option>`)}
        </select>
      </label>
      ${otherId ? html` <a class="small" href=${`/ui/runs/${otherId}`}>open the other run</a>` : null}
      <${ErrorNotice} error=${runs.error} action="Loading runs failed" />
      <${ErrorNotice} error=${comparison.error} action="Comparing failed" />
      ${otherId && comparison.loading ? html`<p class="muted">Comparing…</p>` : null}
      ${comparison.data ? html`<${Comparison} c=${comparison.data} />` : null}
    </div>`;
}
