import { formatDecimal, formatNumber, formatPercent, formatUsd } from '../lib/format.js';
import { html } from '../lib/html.js';

const OVERALL = 'all';

/** "83.3 % ± 8.3" (percentage points), or the rate alone when there is no standard error. */
export function rateWithError(rate, stderr) {
  if (rate === null || rate === undefined) return '—';
  return stderr === null || stderr === undefined ? formatPercent(rate) : `${formatPercent(rate)} ± ${(stderr * 100).toFixed(1)}`;
}

function seconds(s) {
  return s === null || s === undefined ? '' : `${formatDecimal(s, 2)} s`;
}

function passHatK(row) {
  const entries = Object.entries(row.pass_hat_k ?? {});
  return entries.map(([, v]) => (v === null ? '—' : formatDecimal(v, 2))).join(' · ');
}

function AgentCell({ row, runId, first }) {
  if (!first) return html`<td></td>`;
  const href = `/ui/tasks?run_id=${runId}&agent_label=${encodeURIComponent(row.agent_label)}`;
  return html`<td><a href=${href} title="this agent's tasks">${row.agent_label}</a></td>`;
}

/** Rows of one agent start a group: the label is shown once and the overall row closes it. */
function grouped(rows) {
  return rows.map((row, i) => ({ row, first: i === 0 || rows[i - 1].agent_label !== row.agent_label }));
}

function rowClass(row, first) {
  return [row.task_type === OVERALL ? 'overall' : '', first ? 'group-start' : ''].join(' ').trim();
}

/** Success by agent × task type: rate ± standard error, pass^k, accuracies, and what was not scored. */
function SuccessTable({ rows, runId, repeats, definitions }) {
  const d = definitions ?? {};
  return html`
    <table class="data results" data-table="success">
      <thead><tr>
        <th>Agent</th><th>Task type</th><th class="num" title=${d.scored}>Scored / n</th><th class="num" title=${d.success_rate_stderr}>Success ± SE</th>
        <th class="num" title=${d.pass_hat_k}>pass^k (k = 1…${repeats})</th><th class="num" title=${d.detection_accuracy}>Detection acc.</th>
        <th class="num" title=${d.localization_accuracy}>Localization acc.</th><th class="num">Failed</th><th class="num">Timed out</th><th class="num" title="cancelled and unfinished cells are not scored">Not scored</th>
      </tr></thead>
      <tbody>${grouped(rows).map(({ row, first }) => html`
        <tr class=${rowClass(row, first)} data-agent=${row.agent_label} data-task-type=${row.task_type}>
          <${AgentCell} row=${row} runId=${runId} first=${first} />
          <td>${row.task_type === OVERALL ? 'overall' : row.task_type}</td>
          <td class="num">${row.scored} / ${row.n}</td>
          <td class="num rate" data-cell="success">${rateWithError(row.success_rate, row.success_rate_stderr)}</td>
          <td class="num" data-cell="pass-k">${passHatK(row)}</td>
          <td class="num">${formatPercent(row.detection_accuracy)}</td>
          <td class="num">${row.localization_accuracy === null ? '' : formatDecimal(row.localization_accuracy, 1)}</td>
          <td class=${`num${row.failed ? ' bad' : ''}`} data-cell="failed">${row.failed}</td>
          <td class=${`num${row.timed_out ? ' bad' : ''}`}>${row.timed_out}</td>
          <td class="num muted">${row.cancelled + row.unfinished || ''}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

/** Time, steps, tokens and cost by agent × task type. */
function CostTable({ rows, definitions }) {
  const d = definitions ?? {};
  return html`
    <table class="data results" data-table="cost">
      <thead><tr>
        <th>Agent</th><th>Task type</th><th class="num" title=${d.means}>TTD</th><th class="num" title=${d.means}>TTL</th><th class="num" title=${d.means}>TTA</th><th class="num" title=${d.means}>TTM</th>
        <th class="num" title=${d.means}>Mean steps</th><th class="num" title=${d.means}>Mean run time</th><th class="num" title=${d.tokens}>Prompt tokens</th>
        <th class="num" title=${d.tokens}>Completion tokens</th><th class="num" title=${d.estimated_cost_usd}>Est. cost</th>
      </tr></thead>
      <tbody>${grouped(rows).map(({ row, first }) => html`
        <tr class=${rowClass(row, first)}>
          <td>${first ? row.agent_label : ''}</td>
          <td>${row.task_type === OVERALL ? 'overall' : row.task_type}</td>
          <td class="num">${seconds(row.mean_ttd)}</td><td class="num">${seconds(row.mean_ttl)}</td>
          <td class="num">${seconds(row.mean_tta)}</td><td class="num">${seconds(row.mean_ttm)}</td>
          <td class="num">${formatDecimal(row.mean_steps, 1)}</td><td class="num">${seconds(row.mean_duration_s)}</td>
          <td class="num">${formatNumber(row.prompt_tokens)}</td><td class="num">${formatNumber(row.completion_tokens)}</td>
          <td class="num" title=${row.cost_basis ? `from ${row.cost_basis === 'usage' ? 'reported usage' : "AIOpsLab's token estimates"}` : 'no PRICE_TABLE entry for this agent'}>${formatUsd(row.estimated_cost_usd) || html`<span class="muted">—</span>`}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

/** GET /runs/{id}/results as two tables; column headers carry the api's definitions as tooltips. */
export function RunResultsTable({ table, runId }) {
  if (table.rows.length === 0) return html`<p class="muted">No results yet: rows appear as tasks finish.</p>`;
  return html`
    <h3>Success</h3>
    <div class="table-scroll"><${SuccessTable} rows=${table.rows} runId=${runId} repeats=${table.repeats} definitions=${table.definitions} /></div>
    <h3>Time, tokens and cost <span class="muted small">(means over completed tasks)</span></h3>
    <div class="table-scroll"><${CostTable} rows=${table.rows} definitions=${table.definitions} /></div>`;
}
