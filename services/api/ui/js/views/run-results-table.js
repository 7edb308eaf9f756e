import { formatDecimal, formatNumber, formatPercent, formatUsd } from '../lib/format.js';
import { html } from '../lib/html.js';

const OVERALL = 'all';
/** Past this many repeats the pass^k cell shows the first two and the last k. */
const PASS_K_SHOWN = 4;

/** "83.3 % ± 8.3" (percentage points), or the rate alone when there is no standard error. */
export function rateWithError(rate, stderr) {
  if (rate === null || rate === undefined) return '—';
  return stderr === null || stderr === undefined ? formatPercent(rate) : `${formatPercent(rate)} ± ${(stderr * 100).toFixed(1)}`;
}

/** The header of pass^k names its k: "pass^k (k = 1…3)". */
function passKHead(rows) {
  const ks = rows.flatMap((r) => Object.keys(r.pass_hat_k ?? {}).map(Number)).filter(Number.isFinite);
  return ks.length === 0 ? 'pass^k' : `pass^k (k = 1…${Math.max(...ks)})`;
}

function seconds(s) {
  return s === null || s === undefined ? '' : `${formatDecimal(s, 2)} s`;
}

/** "k=1: 1 · k=2: 0.83"; a k no problem had enough scored repeats for is left out. */
export function passHatK(passK) {
  const known = Object.entries(passK ?? {}).filter(([, v]) => v !== null);
  const show = (entries) => entries.map(([k, v]) => `k=${k}: ${formatDecimal(v, 2)}`).join(' · ');
  if (known.length <= PASS_K_SHOWN) return show(known);
  return `${show(known.slice(0, 2))} … ${show(known.slice(-1))}`;
}

/** "[62.1 %, 97.4 %]" from an interval the api sends as [low, high] or { low, high }. */
export function formatInterval(ci) {
  const [low, high] = Array.isArray(ci) ? ci : [ci?.low ?? ci?.lower, ci?.high ?? ci?.upper];
  if (low === null || low === undefined || high === null || high === undefined) return '';
  return `[${formatPercent(low)}, ${formatPercent(high)}]`;
}

/**
 * The columns of each table: `optional` ones are left out when no row has a value (a
 * detection-only run has no TTL, TTA, TTM or localization accuracy).
 */
const SUCCESS_COLUMNS = [
  { head: 'Scored / n', def: 'scored', cell: (r) => `${r.scored} / ${r.n}` },
  { head: 'Success ± repeat spread', def: 'repeat_spread_stderr', id: 'success', cell: (r) => rateWithError(r.success_rate, r.repeat_spread_stderr ?? r.success_rate_stderr) },
  { head: '95 % interval (problems, repeats)', def: 'success_rate_ci', key: 'success_rate_ci', id: 'success-ci', optional: true, cell: (r) => formatInterval(r.success_rate_ci) },
  { head: 'pass^k', def: 'pass_hat_k', id: 'pass-k', cell: (r) => passHatK(r.pass_hat_k), title: (r) => JSON.stringify(r.pass_hat_k) },
  { head: 'Detection acc.', def: 'detection_accuracy', key: 'detection_accuracy', optional: true, cell: (r) => formatPercent(r.detection_accuracy) },
  { head: 'Localization acc.', def: 'localization_accuracy', key: 'localization_accuracy', optional: true, id: 'localization', cell: (r) => (r.localization_accuracy === null ? '' : formatPercent(r.localization_accuracy / 100)) },
  { head: 'Failed', id: 'failed', bad: (r) => r.failed > 0, cell: (r) => r.failed },
  { head: 'Timed out', bad: (r) => r.timed_out > 0, cell: (r) => r.timed_out },
  { head: 'Infra errors', def: 'infra_errors', key: 'infra_errors', optional: true, id: 'infra-errors', hint: 'the cluster or the harness failed: kept out of the success rate and retried on the run\'s own budget', muted: true, cell: (r) => r.infra_errors },
  { head: 'Not scored', hint: 'cancelled and unfinished cells are not scored', id: 'not-scored', muted: true, cell: (r) => r.cancelled + r.unfinished },
];

const COST_COLUMNS = [
  ...['ttd', 'ttl', 'tta', 'ttm'].map((t) => ({ head: t.toUpperCase(), def: 'means', key: `mean_${t}`, optional: true, cell: (r) => seconds(r[`mean_${t}`]) })),
  { head: 'Mean steps', def: 'means', cell: (r) => formatDecimal(r.mean_steps, 1) },
  { head: 'Mean run time', def: 'means', cell: (r) => seconds(r.mean_duration_s) },
  { head: 'Prompt tokens (total)', def: 'tokens', id: 'prompt-tokens', cell: (r) => formatNumber(r.prompt_tokens) },
  { head: 'Completion tokens (total)', def: 'tokens', id: 'completion-tokens', cell: (r) => formatNumber(r.completion_tokens) },
  {
    head: 'Est. cost (total)',
    def: 'estimated_cost_usd',
    cell: (r) => formatUsd(r.estimated_cost_usd) || '—',
    title: (r) => (r.cost_basis ? `from ${r.cost_basis === 'usage' ? 'reported usage' : "AIOpsLab's token estimates"}` : 'no PRICE_TABLE entry for this agent'),
  },
];

function AgentCell({ row, runId, first, link }) {
  if (!first) return html`<td></td>`;
  if (!link) return html`<td>${row.agent_label}</td>`;
  return html`<td><a href=${`/ui/tasks?run_id=${runId}&agent_label=${encodeURIComponent(row.agent_label)}`} title="this agent's tasks">${row.agent_label}</a></td>`;
}

function rowClass(row, first) {
  return [row.task_type === OVERALL ? 'overall' : '', first ? 'group-start' : ''].join(' ').trim();
}

/** One table: agent and task type, then the columns that have a value in some row. */
function ResultsGrid({ name, columns, rows, runId, definitions, link }) {
  const shown = columns.filter((c) => !c.optional || rows.some((r) => r[c.key] !== null && r[c.key] !== undefined));
  const heading = (c) => (c.def ? definitions?.[c.def] : c.hint) ?? '';
  return html`
    <table class="data results" data-table=${name}>
      <thead><tr><th>Agent</th><th>Task type</th>${shown.map((c) => html`<th class="num" title=${heading(c)}>${c.id === 'pass-k' ? passKHead(rows) : c.head}</th>`)}</tr></thead>
      <tbody>${rows.map((row, i) => {
        const first = i === 0 || rows[i - 1].agent_label !== row.agent_label;
        return html`
          <tr class=${rowClass(row, first)} data-agent=${row.agent_label} data-task-type=${row.task_type}>
            <${AgentCell} row=${row} runId=${runId} first=${first} link=${link} />
            <td>${row.task_type === OVERALL ? 'overall' : row.task_type}</td>
            ${shown.map((c) => html`<td class=${`num${c.bad?.(row) ? ' bad' : ''}${c.muted ? ' muted' : ''}`} data-cell=${c.id} title=${c.title?.(row)}>${c.cell(row)}</td>`)}
          </tr>`;
      })}
      </tbody>
    </table>`;
}

/** GET /runs/{id}/results as two tables; column headers carry the api's definitions as tooltips. */
export function RunResultsTable({ table, runId }) {
  if (table.rows.length === 0) return html`<p class="muted">No results yet: rows appear as tasks finish.</p>`;
  return html`
    <h3>Success</h3>
    <div class="table-scroll"><${ResultsGrid} name="success" columns=${SUCCESS_COLUMNS} rows=${table.rows} runId=${runId} definitions=${table.definitions} link /></div>
    <h3>Time, tokens and cost <span class="muted small" data-note="cost">(TT*, steps: means over completed tasks · run time: mean over scored tasks · tokens and cost: totals over each cell's latest task)</span></h3>
    <div class="table-scroll"><${ResultsGrid} name="cost" columns=${COST_COLUMNS} rows=${table.rows} runId=${runId} definitions=${table.definitions} /></div>`;
}
