import { ErrorNotice } from '../components/error-notice.js';
import { api } from '../lib/api.js';
import { formatDecimal, formatPercent } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';

const LIVE_MS = 10000;
const FLAG_LABELS = { do_nothing_passes: 'do-nothing passes', setup_unreliable: 'setup unreliable', flaky: 'flaky' };

const tally = (t) => (t.scored > 0 ? `${t.solved}/${t.scored}` : html`<span class="muted">—</span>`);
const seconds = (s) => (s === null ? html`<span class="muted">—</span>` : `${formatDecimal(s, s < 1 ? 2 : 1)} s`);

function Flags({ entry, definitions }) {
  if (entry.flags.length === 0) return html`<span class="muted small">none</span>`;
  return entry.flags.map((flag) => html`<span class="badge flag flag-${flag}" data-flag=${flag} title=${definitions[flag] ?? ''}>${FLAG_LABELS[flag] ?? flag}</span> `);
}

function HealthRow({ entry, definitions }) {
  return html`
    <tr data-problem=${entry.problem_id} class=${entry.flags.length > 0 ? 'flagged' : ''}>
      <td class="wrap mono">${entry.problem_id}</td>
      <td>${entry.task_type ?? html`<span class="muted">unknown</span>`}</td>
      <td class="wrap notes" data-cell="flags"><${Flags} entry=${entry} definitions=${definitions} />${entry.notes.map((note) => html`<div class="muted small">${note}</div>`)}</td>
      <td class="num" data-cell="finished">${entry.finished}</td>
      <td class="num" data-cell="do_nothing">${tally(entry.do_nothing)}</td>
      <td class="num" data-cell="constant_yes">${tally(entry.constant_yes)}</td>
      <td class="num" data-cell="setup_failures">${entry.setup_failures}${entry.setup_failure_rate !== null ? html` <span class="muted small">(${formatPercent(entry.setup_failure_rate)})</span>` : null}</td>
      <td class="num" data-cell="setup_p50">${seconds(entry.setup_s.p50)}</td>
      <td class="num" data-cell="setup_p95">${seconds(entry.setup_s.p95)}</td>
      <td class="num" data-cell="flaky" title="flaky / deterministic agent configs scored twice or more">${entry.flaky_agents} / ${entry.deterministic_agents}</td>
    </tr>`;
}

/**
 * GET /problems/health: per problem, whether a do-nothing agent passes (a grader defect), the
 * setup failure rate, setup p50/p95 and flakiness. Calibration runs (POST /runs with
 * calibration: true, or `aiopslab-tasks problems calibrate`) give it the reference agents' data.
 */
function ProblemHealthPage() {
  const report = usePoll((signal) => api('/problems/health', { signal }), LIVE_MS, []);
  const r = report.data;
  const d = r?.definitions ?? {};
  return html`
    <section class="problem-health">
      <div class="view-head">
        <h1>Problem health</h1>
        <span class="muted small">from every finished task · run the reference agents with POST /runs {"calibration": true} or <code>aiopslab-tasks problems calibrate</code></span>
      </div>
      <${ErrorNotice} error=${report.error} action="Loading problem health failed" />
      ${report.loading && !r ? html`<p class="muted">Loading…</p>` : null}
      ${r ? html`
        <p class="health-summary" data-flagged=${r.flagged}>
          <strong>${r.flagged}</strong> of ${r.problems.length} problems flagged${Object.entries(r.flag_counts).map(([flag, n]) => html` · <span data-flag-count=${flag}>${FLAG_LABELS[flag] ?? flag}: ${n}</span>`)}
          <span class="muted small"> · results can leave them out: GET /runs/{id}/results?by=problem&exclude_flagged=true</span>
        </p>
        ${r.problems.length === 0 ? html`<p class="empty">No problems in the catalog yet.</p>` : html`
          <div class="table-scroll"><table class="data compact problem-health-table">
            <thead><tr>
              <th>Problem</th><th>Type</th><th>Flags</th>
              <th class="num" title=${d.counts ?? ''}>Finished</th>
              <th class="num" title=${`solved / scored by the do_nothing reference agent. ${d.do_nothing_passes ?? ''}`}>Do-nothing</th>
              <th class="num" title="solved / scored by the constant_yes reference agent on detection: the base rate of answering Yes">Constant-yes</th>
              <th class="num" title=${d.setup_unreliable ?? ''}>Setup failures</th>
              <th class="num" title=${d.setup_s ?? ''}>Setup p50</th>
              <th class="num" title=${d.setup_s ?? ''}>Setup p95</th>
              <th class="num" title=${d.flaky ?? ''}>Flaky agents</th>
            </tr></thead>
            <tbody>${r.problems.map((entry) => html`<${HealthRow} key=${entry.problem_id} entry=${entry} definitions=${d} />`)}</tbody>
          </table></div>`}` : null}
    </section>`;
}

export const routes = [{ path: '/ui/problems/health', title: 'Problem health', nav: 'Problem health', View: ProblemHealthPage }];
