import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { api, query } from '../lib/api.js';
import { between, formatDuration, formatTime, shortId } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';
import { RunSuccessCell } from './run-success-cell.js';

const PAGE_SIZE = 25;
const LIVE_MS = 3000;

function RunRow({ run }) {
  return html`
    <tr data-run-id=${run.run_id}>
      <td class="wrap"><a href=${`/ui/runs/${run.run_id}`}>${run.name}</a><div class="mono muted small" title=${run.run_id}>${shortId(run.run_id)}</div></td>
      <td><${StatusBadge} status=${run.status} /></td>
      <td class="progress-cell"><${ProgressBar} counts=${run.counts} total=${run.task_count} compact /></td>
      <td class="wrap" data-cell="success"><${RunSuccessCell} run=${run} /></td>
      <td class="num" title="problems × agents × repeats">${run.problem_count} × ${run.agent_labels.length} × ${run.repeats}</td>
      <td class="num" title="tasks, retries included">${run.task_count}</td>
      <td title=${run.created_at}>${formatTime(run.created_at)}</td>
      <td class="num">${run.finished_at ? formatDuration(between(run.created_at, run.finished_at)) : html`<span class="muted">running</span>`}</td>
    </tr>`;
}

/** GET /runs: newest first, keyset pages (a stack of cursors), polled while the page is open. */
function RunsList() {
  const [cursors, setCursors] = useState([null]);
  const cursor = cursors[cursors.length - 1];
  const page = usePoll((signal) => api(`/runs${query({ limit: PAGE_SIZE, cursor })}`, { signal }), LIVE_MS, [cursor]);
  const runs = page.data?.runs ?? [];
  return html`
    <section>
      <div class="view-head">
        <h1>Runs</h1>
        <span class="muted small">problems × agents × repeats · refreshed every ${LIVE_MS / 1000} s · create one with <a href="/docs" target="_blank" rel="noopener">POST /runs</a></span>
      </div>
      <${ErrorNotice} error=${page.error} action="Loading runs failed" />
      ${page.loading && !page.data ? html`<p class="muted">Loading…</p>` : null}
      ${page.data && runs.length === 0 ? html`<p class="empty">No runs yet. Start one with POST /runs (see the README's "Runs" section).</p>` : null}
      ${runs.length > 0 ? html`
        <table class="data runs">
          <thead><tr><th>Run</th><th>Status</th><th>Progress</th><th title="per agent: solved / scored over each grid cell's latest task (GET /runs/{id}/results)">Success by agent</th><th class="num">Grid</th><th class="num">Tasks</th><th>Created</th><th class="num">Took</th></tr></thead>
          <tbody>${runs.map((run) => html`<${RunRow} key=${run.run_id} run=${run} />`)}</tbody>
        </table>` : null}
      <div class="pager">
        <button type="button" disabled=${cursors.length === 1} onClick=${() => setCursors([null])}>Newest</button>
        <button type="button" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <span class="muted">page ${cursors.length}${page.data ? ` · ${runs.length} shown` : ''}</span>
        <button type="button" disabled=${!page.data?.next_cursor} onClick=${() => setCursors([...cursors, page.data.next_cursor])}>Next</button>
      </div>
    </section>`;
}

export const routes = [{ path: '/ui/runs', title: 'Runs', nav: 'Runs', View: RunsList }];
