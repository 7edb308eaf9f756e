import { StatusBadge } from '../components/status-badge.js';
import { between, formatDuration, formatTime, TERMINAL_STATUSES } from '../lib/format.js';
import { html } from '../lib/html.js';

/**
 * status_history as a timeline, oldest first: each transition with its time, attempt, worker
 * and notes, and how long the task stayed in that status (until the next transition, or until
 * now while it is still there).
 */
export function TaskTimeline({ history }) {
  if (!history?.length) return html`<p class="muted">No transitions recorded yet (the history service records them within moments).</p>`;
  return html`
    <ol class="timeline">
      ${history.map((entry, i) => {
        const next = history[i + 1];
        const open = !next && !TERMINAL_STATUSES.includes(entry.to_status);
        const stayed = next ? between(entry.occurred_at, next.occurred_at) : open ? between(entry.occurred_at, null) : null;
        return html`
          <li key=${entry.event_id} class="timeline-entry">
            <div class="timeline-head">
              <${StatusBadge} status=${entry.to_status} />
              <span class="muted">${entry.from_status ? `from ${entry.from_status.replace('_', ' ')}` : 'submitted'}</span>
              <time title=${entry.occurred_at}>${formatTime(entry.occurred_at)}</time>
              ${stayed !== null ? html`<span class="duration">${formatDuration(stayed)}${open ? ' so far' : ''}</span>` : null}
            </div>
            <div class="timeline-meta muted small">
              attempt ${entry.attempt}${entry.worker_id ? ` · worker ${entry.worker_id}` : ''}
            </div>
            ${entry.notes ? html`<div class="timeline-notes">${entry.notes}</div>` : null}
          </li>`;
      })}
    </ol>`;
}
