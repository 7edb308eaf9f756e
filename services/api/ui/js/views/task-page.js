import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { OutcomeBadge } from '../components/outcome-badge.js';
import { StatusBadge } from '../components/status-badge.js';
import { api } from '../lib/api.js';
import { between, describeAgentConfig, formatDuration, formatTime, TERMINAL_STATUSES } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';
import { taskOutcome } from '../lib/task-outcome.js';
import { TaskLogs } from './task-logs.js';
import { TaskResult } from './task-result.js';
import { TaskSession } from './task-session.js';
import { TaskTimeline } from './task-timeline.js';
import { TaskTrajectory } from './task-trajectory.js';

const RETRYABLE = ['failed', 'timed_out', 'cancelled'];

function Facts({ task, taskType }) {
  const rows = [
    ['Problem', `${task.problem_id}${taskType ? ` (${taskType})` : ''}`],
    ['Answer', html`<${OutcomeBadge} outcome=${taskOutcome(task, taskType, task.result?.results ?? null)} />`],
    ['Agent', task.agent_label ? html`<a href=${`/ui/tasks?run_id=${task.run_id}&agent_label=${encodeURIComponent(task.agent_label)}`}>${task.agent_label}</a> <span class="muted">(${describeAgentConfig(task.agent_config)})</span>` : describeAgentConfig(task.agent_config)],
    task.run_id ? ['Run', html`<a class="mono" href=${`/ui/runs/${task.run_id}`}>${task.run_id}</a>${task.repeat_index ? html` <span class="muted small">repeat ${task.repeat_index}</span>` : null}`] : null,
    task.retry_of ? ['Retry of', html`<a class="mono" href=${`/ui/tasks/${task.retry_of}`}>${task.retry_of}</a>`] : null,
    ['Worker', task.worker_id ? html`<a href=${`/ui/tasks?worker_id=${encodeURIComponent(task.worker_id)}`}>${task.worker_id}</a>` : '—'],
    ['Attempt', `${task.attempt} of ${task.max_retries + 1}`],
    ['Session', html`<${TaskSession} task=${task} finished=${TERMINAL_STATUSES.includes(task.status)} />`],
    ['Limits', `${task.max_steps} steps · ${task.timeout_minutes} min · priority ${task.priority}`],
    ['Created', formatTime(task.created_at)],
    ['Started', task.started_at ? formatTime(task.started_at) : '—'],
    ['Finished', task.completed_at ? `${formatTime(task.completed_at)}${task.started_at ? ` (ran ${formatDuration(between(task.started_at, task.completed_at))})` : ''}` : '—'],
  ].filter(Boolean);
  return html`<table class="kv facts"><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

/** One task: actions, facts, timeline, live logs, trajectory, result and error. */
function TaskPage({ params }) {
  const id = params.id;
  // Polls until the task is finished and its history has recorded that (the history service
  // lags a moment); a finished task never changes again (a retry is a new task).
  const [settled, setSettled] = useState(false);
  const task = usePoll((signal) => api(`/tasks/${encodeURIComponent(id)}`, { signal }), settled ? 0 : 2000, [id]);
  const catalog = usePoll((signal) => api('/problems', { signal }), 0, []);
  const [action, setAction] = useState({ busy: false, error: null, message: null });
  const t = task.data;
  const lastRecorded = t?.status_history?.[t.status_history.length - 1]?.to_status;
  useEffect(() => {
    if (t && TERMINAL_STATUSES.includes(t.status) && lastRecorded === t.status) setSettled(true);
  }, [t?.status, lastRecorded]);

  const run = async (label, request, describe) => {
    setAction({ busy: true, error: null, message: null });
    try {
      const answer = await request();
      setAction({ busy: false, error: null, message: describe(answer) });
    } catch (error) {
      const missing = error.status === 404 && error.code === 'route_not_found';
      setAction({ busy: false, message: null, error: missing ? { ...error, detail: `this api has no ${label.toLowerCase()} endpoint (${error.detail})` } : error });
    }
    task.refresh();
  };
  const cancel = () => window.confirm('Cancel this task?') && run('Cancel', () => api(`/tasks/${id}`, { method: 'DELETE' }), (a) => (a.status === 'cancelled' ? 'Cancelled.' : 'Cancel requested: the worker is stopping the run.'));
  const retry = () => run('Retry', () => api(`/tasks/${id}/retry`, { method: 'POST' }), (a) => html`Retried as a new task: <a class="mono" href=${`/ui/tasks/${a.task_id}`}>${a.task_id}</a>`);

  if (!t) return html`<section><div class="view-head"><h1>Task</h1></div><${ErrorNotice} error=${task.error} action="Loading the task failed" />${task.loading ? html`<p class="muted">Loading…</p>` : null}</section>`;
  return html`
    <section class="task-page">
      <div class="view-head">
        <h1>${t.problem_id} <${StatusBadge} status=${t.status} /></h1>
        <div class="actions">
          ${!TERMINAL_STATUSES.includes(t.status) ? html`<button type="button" class="danger" disabled=${action.busy || t.cancel_requested_at} onClick=${cancel}>${t.cancel_requested_at ? 'Cancel requested' : 'Cancel'}</button>` : null}
          ${RETRYABLE.includes(t.status) ? html`<button type="button" class="primary" disabled=${action.busy} onClick=${retry}>Retry</button>` : null}
        </div>
      </div>
      <p class="mono muted small">${t.task_id}</p>
      ${action.message ? html`<div class="notice ok" role="status">${action.message}</div>` : null}
      <${ErrorNotice} error=${action.error} action=${action.error ? 'Action failed' : ''} />
      <${ErrorNotice} error=${task.error} action="Refreshing the task failed" />
      <div class="grid-2">
        <div class="card"><h2>Details</h2><${Facts} task=${t} taskType=${catalog.data?.problems?.find((p) => p.id === t.problem_id)?.task_type} /></div>
        <div class="card"><h2>Status timeline</h2><${TaskTimeline} history=${t.status_history} /></div>
      </div>
      <div class="card"><h2>Result</h2><${TaskResult} task=${t} /></div>
      <div class="card"><h2>Trajectory</h2><${TaskTrajectory} key=${`${t.attempt}:${t.status}`} result=${t.result} finished=${TERMINAL_STATUSES.includes(t.status)} /></div>
      <div class="card"><h2>Logs</h2><${TaskLogs} taskId=${t.task_id} /></div>
    </section>`;
}

export const routes = [{ path: '/ui/tasks/:id', title: 'Task', View: TaskPage }];
