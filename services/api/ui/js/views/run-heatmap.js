import { ErrorNotice } from '../components/error-notice.js';
import { api } from '../lib/api.js';
import { formatPercent } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';

/** The cell's colour: red (0) through amber to green (1) by solved / scored; grey when nothing was scored. */
export function heatColour(rate) {
  if (rate === null || rate === undefined) return 'hsl(220 10% 93%)';
  return `hsl(${Math.round(rate * 120)} 62% ${Math.round(88 - rate * 18)}%)`;
}

/** The tooltip: counts, the Wilson interval, and what was not scored. */
export function cellTitle(problem, cell) {
  const ci = cell.success_rate_ci;
  const parts = [`${problem.problem_id} × ${cell.agent_label}`, `solved ${cell.solved} of ${cell.scored} scored (${cell.n} repeats)`];
  if (ci) parts.push(`95 % Wilson interval ${formatPercent(ci.low)} – ${formatPercent(ci.high)}`);
  const unscored = [['failed', cell.failed], ['timed out', cell.timed_out], ['cancelled', cell.cancelled], ['unfinished', cell.unfinished], ['infra errors', cell.infra_errors]].filter(([, k]) => k > 0);
  if (unscored.length) parts.push(unscored.map(([what, k]) => `${k} ${what}`).join(', '));
  if (cell.mean_steps !== null && cell.mean_steps !== undefined) parts.push(`mean steps ${cell.mean_steps.toFixed(1)}`);
  return parts.join('\n');
}

function Cell({ problem, cell }) {
  const label = cell.scored > 0 ? `${cell.solved}/${cell.scored}` : '—';
  return html`<td class="heat-cell" data-agent=${cell.agent_label} data-rate=${cell.success_rate ?? ''} title=${cellTitle(problem, cell)} style=${`background: ${heatColour(cell.scored > 0 ? cell.success_rate : null)}`}>${label}</td>`;
}

/**
 * GET /runs/{id}/results?by=problem as a heatmap: one row per problem, one column per agent, each
 * cell solved / scored over its repeats, coloured by the rate; hover for the Wilson interval.
 */
export function RunHeatmap({ runId, counts }) {
  const matrix = usePoll((signal) => api(`/runs/${encodeURIComponent(runId)}/results?by=problem`, { signal }), 0, [runId, counts]);
  const m = matrix.data;
  if (!m) return html`<${ErrorNotice} error=${matrix.error} action="Loading results by problem failed" />${matrix.loading ? html`<p class="muted">Loading…</p>` : null}`;
  return html`
    <div class="heatmap-wrap">
      <table class="data heatmap" data-problems=${m.problems.length}>
        <thead><tr><th>Problem</th><th>Type</th>${m.agent_labels.map((label) => html`<th class="num">${label}</th>`)}</tr></thead>
        <tbody>${m.problems.map((p) => html`
          <tr data-problem=${p.problem_id}><td class="wrap mono">${p.problem_id}</td><td class="muted">${p.task_type}</td>${p.cells.map((cell) => html`<${Cell} problem=${p} cell=${cell} />`)}</tr>`)}
        </tbody>
      </table>
      <p class="muted small heat-legend">
        <span class="heat-swatch" style=${`background: ${heatColour(0)}`}></span> 0 %
        <span class="heat-swatch" style=${`background: ${heatColour(0.5)}`}></span> 50 %
        <span class="heat-swatch" style=${`background: ${heatColour(1)}`}></span> 100 % solved of scored repeats;
        <span class="heat-swatch" style=${`background: ${heatColour(null)}`}></span> nothing scored. Hover a cell for its 95 % Wilson interval.
      </p>
    </div>`;
}
