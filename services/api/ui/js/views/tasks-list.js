import { useMemo, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { OutcomeBadge } from '../components/outcome-badge.js';
import { StatusBadge } from '../components/status-badge.js';
import { api, query } from '../lib/api.js';
import { between, formatDuration, formatTime, shortId } from '../lib/format.js';
import { html } from '../lib/html.js';
import { navigate } from '../lib/router.js';
import { usePoll } from '../lib/poll.js';
import { taskOutcome } from '../lib/task-outcome.js';
import { useTaskResults } from '../lib/task-results-cache.js';
import { filtersFrom, TaskFilters } from './task-filters.js';

const PAGE_SIZE = 50;
const LIVE_MS = 3000;

function TaskRow({ task, typeOf, extra, resultsOf }) {
  const outcome = taskOutcome(task, typeOf.get(task.problem_id), resultsOf(task.task_id));
  const error = task.error ? `${task.error.kind ?? 'error'}: ${task.error.message ?? ''}` : '';
  return html`
    <tr data-task-id=${task.task_id}>
      <td><a class="mono" href=${`/ui/tasks/${task.task_id}`} title=${task.task_id}>${shortId(task.task_id)}</a></td>
      <td class="wrap">${task.problem_id}</td>
      <td>${typeOf.get(task.problem_id) ?? ''}</td>
      <td><${StatusBadge} status=${task.status} /></td>
      <td data-cell="answer"><${OutcomeBadge} outcome=${outcome} /></td>
      ${extra.run ? html`<td>${task.run_id ? html`<a class="mono" href=${`/ui/runs/${task.run_id}`} title=${task.run_id}>${shortId(task.run_id)}</a>` : ''}</td>` : null}
      ${extra.agent ? html`<td data-cell="agent">${task.agent_label ?? ''}</td>` : null}
      ${extra.run ? html`<td class="num" data-cell="repeat">${task.repeat_index ?? ''}</td>` : null}
      <td class="num">${task.attempt}/${task.max_retries + 1}</td>
      <td>${task.worker_id ?? ''}</td>
      <td title=${task.created_at}>${formatTime(task.created_at)}</td>
      <td class="num">${task.started_at ? formatDuration(between(task.started_at, task.completed_at)) : ''}</td>
      <td class="wrap error-text" title=${error}>${error.slice(0, 80)}</td>
    </tr>`;
}

function TasksTable({ tasks, typeOf }) {
  const extra = { run: tasks.some((t) => t.run_id), agent: tasks.some((t) => t.agent_label) };
  const resultsOf = useTaskResults(tasks);
  return html`
    <table class="data">
      <thead><tr>
        <th>Task</th><th>Problem</th><th>Type</th><th>Status</th>
        <th title="correct or incorrect by the results table's rule (detection: Detection Accuracy is Correct; others: success); failed and timed-out tasks count as incorrect, cancelled ones are not scored">Answer</th>
        ${extra.run ? html`<th>Run</th>` : null}${extra.agent ? html`<th>Agent</th>` : null}${extra.run ? html`<th class="num" title="the repeat of this grid cell (problem × agent)">Repeat</th>` : null}
        <th class="num">Attempt</th><th>Worker</th><th>Created</th><th class="num">Ran</th><th>Error</th>
      </tr></thead>
      <tbody>${tasks.map((task) => html`<${TaskRow} key=${task.task_id} task=${task} typeOf=${typeOf} extra=${extra} resultsOf=${resultsOf} />`)}</tbody>
    </table>`;
}

/** GET /tasks with filters, keyset pages (a stack of cursors) and a poll every few seconds. */
function TasksList({ location }) {
  const filters = filtersFrom(location.params);
  // Pages are a stack of cursors, valid for one set of filters (the query string).
  const [paging, setPaging] = useState({ search: location.search, cursors: [null] });
  const cursors = paging.search === location.search ? paging.cursors : [null];
  const setCursors = (next) => setPaging({ search: location.search, cursors: next });
  const [live, setLive] = useState(true);
  const cursor = cursors[cursors.length - 1];

  const page = usePoll((signal) => api(`/tasks${query({ ...filters, limit: PAGE_SIZE, cursor })}`, { signal }), live ? LIVE_MS : 0, [location.search, cursor]);
  const problems = usePoll((signal) => api('/problems', { signal }), 0, []);
  const workers = usePoll((signal) => api('/workers', { signal }), 0, []);
  const runs = usePoll((signal) => api('/runs?limit=100', { signal }), 0, []);
  const typeOf = useMemo(() => new Map((problems.data?.problems ?? []).map((p) => [p.id, p.task_type])), [problems.data]);
  const apply = (next) => navigate(`/ui/tasks${query(next)}`);
  const tasks = page.data?.tasks ?? [];
  const filtered = Object.values(filters).some(Boolean);

  return html`
    <section>
      <div class="view-head">
        <h1>Tasks${filters.run_id ? html` <a class="small" href=${`/ui/runs/${filters.run_id}`}>of run ${shortId(filters.run_id)} →</a>` : null}</h1>
        <label class="inline live-toggle"><input type="checkbox" name="live" checked=${live} onChange=${(e) => setLive(e.currentTarget.checked)} /> Live (every ${LIVE_MS / 1000} s)</label>
      </div>
      <${TaskFilters} key=${location.search} filters=${filters} problems=${problems.data?.problems} workers=${workers.data?.workers} runs=${runs.data?.runs} onApply=${apply} />
      <${ErrorNotice} error=${page.error} action="Loading tasks failed" />
      ${page.loading && !page.data ? html`<p class="muted">Loading…</p>` : null}
      ${page.data && tasks.length === 0 ? html`<p class="empty">${filtered ? 'No tasks match these filters.' : 'No tasks yet. Submit one with POST /tasks (see API docs).'}</p>` : null}
      ${tasks.length > 0 ? html`<${TasksTable} tasks=${tasks} typeOf=${typeOf} />` : null}
      <div class="pager">
        <button type="button" disabled=${cursors.length === 1} onClick=${() => setCursors([null])}>Newest</button>
        <button type="button" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <span class="muted">page ${cursors.length}${page.data ? ` · ${tasks.length} shown` : ''}${page.updatedAt ? ` · updated ${formatTime(page.updatedAt.toISOString())}` : ''}</span>
        <button type="button" disabled=${!page.data?.next_cursor} onClick=${() => setCursors([...cursors, page.data.next_cursor])}>Next</button>
      </div>
    </section>`;
}

export const routes = [{ path: '/ui/tasks', title: 'Tasks', nav: 'Tasks', View: TasksList }];
