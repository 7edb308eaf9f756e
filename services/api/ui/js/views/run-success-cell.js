import { api } from '../lib/api.js';
import { formatPercent } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';
import { formatInterval } from './run-results-table.js';

/** Each agent's overall row of GET /runs/{id}/results: success as solved / scored, with its interval when the api gives one. */
export function agentSuccess(results) {
  return (results?.rows ?? [])
    .filter((row) => row.task_type === 'all')
    .map((row) => ({ label: row.agent_label, rate: row.success_rate, solved: row.solved, scored: row.scored, ci: row.success_rate_ci ?? null }));
}

/**
 * The runs list's success column: one line per agent. The results are read again only when the
 * run's counts change (the api caches them by counts), so an idle list costs one request per run.
 */
export function RunSuccessCell({ run }) {
  const results = usePoll((signal) => api(`/runs/${encodeURIComponent(run.run_id)}/results`, { signal }), 0, [run.run_id, run.counts]);
  const agents = agentSuccess(results.data);
  if (results.error) return html`<span class="muted" title=${results.error.message}>—</span>`;
  if (!results.data) return html`<span class="muted">…</span>`;
  return html`
    <div class="run-success">
      ${agents.map((a) => html`
        <span data-agent=${a.label} title=${`${a.solved} solved of ${a.scored} scored`}>
          ${a.label} <strong>${a.rate === null ? '—' : formatPercent(a.rate)}</strong>
          ${a.ci ? html` <span class="ci">${formatInterval(a.ci)}</span>` : null}
        </span>`)}
    </div>`;
}
