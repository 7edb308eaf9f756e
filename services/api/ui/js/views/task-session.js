import { DownloadLink } from '../components/download-link.js';
import { authHeaders, toApiError } from '../lib/api.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';

function kilobytes(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} kB`;
}

/**
 * Whether the api kept an AIOpsLab session for the task (GET /tasks/{id}/session). A HEAD
 * request gives its size without moving megabytes; only when there is none is the small
 * problem+json read, for the api's reason.
 */
async function probeSession(taskId, signal) {
  const url = `/tasks/${taskId}/session`;
  const head = await fetch(url, { method: 'HEAD', signal, headers: authHeaders() });
  if (head.ok) return { kept: true, bytes: Number(head.headers.get('content-length') ?? 0) };
  if (head.status !== 404) throw await toApiError(head);
  const answer = await fetch(url, { signal, headers: { accept: 'application/json', ...authHeaders() } });
  if (answer.ok) return { kept: true, bytes: Number(answer.headers.get('content-length') ?? 0) };
  const error = await toApiError(answer);
  return { kept: false, why: error.detail ?? error.title };
}

/** The session line of the task page: size and a download, or why there is none. */
export function TaskSession({ task, finished }) {
  const sessionId = task.result?.session_id;
  // No session id in the result: the runner started no AIOpsLab session, so there is nothing to ask for.
  const probe = finished && Boolean(sessionId);
  const state = usePoll((signal) => (probe ? probeSession(task.task_id, signal) : Promise.resolve(null)), 0, [task.task_id, probe, task.attempt]);
  const id = sessionId ? html`<span class="mono">${sessionId}</span> · ` : null;
  if (!finished) return html`<span class="muted">${id}kept when the attempt ends</span>`;
  if (!sessionId) return html`<span class="muted" data-session="none">none: the runner reported no session${task.attempt === 0 ? ' (the task never ran)' : ''}</span>`;
  if (state.error) return html`<span class="error-text">${state.error.title}${state.error.detail ? `: ${state.error.detail}` : ''}</span>`;
  if (!state.data) return html`<span class="muted">checking…</span>`;
  if (!state.data.kept) return html`<span class="muted" data-session="none">${id}none kept: ${state.data.why}</span>`;
  return html`<span data-session="kept">${id}<${DownloadLink} className="" href=${`/tasks/${task.task_id}/session`} filename=${`task-${task.task_id}-session.json`}>session JSON (${kilobytes(state.data.bytes)})<//></span>`;
}
