import { DownloadLink } from '../components/download-link.js';
import { html } from '../lib/html.js';

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The session line of the task page, from `task.sessions` (what GET /tasks/{id} says is kept per
 * attempt): the latest attempt's size and a download of GET /tasks/{id}/session, or why there is
 * nothing to download. The session itself is only fetched when asked for.
 */
export function TaskSession({ task, finished }) {
  const kept = task.sessions ?? [];
  const latest = kept[kept.length - 1];
  const sessionId = task.result?.session_id;
  const id = sessionId ? html`<span class="mono">${sessionId}</span> · ` : null;
  if (!latest) {
    const why = !finished ? 'kept when the attempt ends' : task.attempt === 0 ? 'none: the task never ran' : 'none: the runner reported no session';
    return html`<span class="muted" data-session="none">${id}${why}</span>`;
  }
  const others = kept.length > 1 ? html` <span class="muted small">(attempts ${kept.map((s) => s.attempt).join(', ')} kept)</span>` : null;
  if (!latest.in_database) {
    return html`<span class="muted" data-session="on-host">${id}attempt ${latest.attempt}: ${size(latest.size_bytes)}, over SESSION_MAX_BYTES, kept only on the worker host (see GET /tasks/${task.task_id}/session)${others}</span>`;
  }
  return html`<span data-session="kept">${id}<${DownloadLink} className="" href=${`/tasks/${task.task_id}/session?attempt=${latest.attempt}`} filename=${`task-${task.task_id}-session-${latest.attempt}.json`}>session JSON of attempt ${latest.attempt} (${size(latest.size_bytes)})<//>${others}</span>`;
}
