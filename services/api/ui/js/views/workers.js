import { ErrorNotice } from '../components/error-notice.js';
import { StatusBadge } from '../components/status-badge.js';
import { api } from '../lib/api.js';
import { formatAge, formatTime, shortId } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';

function WorkerRow({ worker }) {
  const reason = worker.status === 'unhealthy' ? worker.health_reason ?? 'no reason reported' : null;
  return html`
    <tr data-worker-id=${worker.worker_id} class=${reason ? 'unhealthy' : ''}>
      <td class="mono">${worker.worker_id}</td>
      <td>
        <${StatusBadge} status=${worker.status} />
        ${reason ? html`<div class="health-reason" data-health-reason>${reason}<div class="muted small">takes no tasks until a recheck passes</div></div>` : null}
      </td>
      <td>${worker.current_task_id ? html`<a class="mono" href=${`/ui/tasks/${worker.current_task_id}`} title=${worker.current_task_id}>${shortId(worker.current_task_id)}</a>` : html`<span class="muted">—</span>`}</td>
      <td>${worker.cluster_name ?? html`<span class="muted">no cluster</span>`} <span class="muted small">· ${worker.backend}</span></td>
      <td title=${worker.last_heartbeat_at}>${formatAge(worker.last_heartbeat_at)}</td>
      <td>${worker.hostname}</td>
      <td class="muted small">${worker.version} · since ${formatTime(worker.registered_at)}</td>
      <td><a href=${`/ui/tasks?worker_id=${encodeURIComponent(worker.worker_id)}`}>tasks</a></td>
    </tr>`;
}

/** GET /workers every few seconds: status (and why, when unhealthy), current task, cluster, heartbeat. */
function Workers() {
  const workers = usePoll((signal) => api('/workers', { signal }), 3000, []);
  const list = workers.data?.workers ?? [];
  const unhealthy = list.filter((worker) => worker.status === 'unhealthy');
  return html`
    <section>
      <div class="view-head"><h1>Workers</h1><span class="muted small">${list.length} registered · refreshed every 3 s</span></div>
      <${ErrorNotice} error=${workers.error} action="Loading workers failed" />
      ${unhealthy.length > 0 ? html`<div class="notice error" role="status"><strong>${unhealthy.length} ${unhealthy.length === 1 ? 'worker is' : 'workers are'} unhealthy</strong> and ${unhealthy.length === 1 ? 'takes' : 'take'} no tasks: ${unhealthy.map((w) => w.worker_id).join(', ')}. The reason is under each one's status.</div>` : null}
      ${workers.data && list.length === 0 ? html`<p class="empty">No worker has registered yet. Start one with <code>node services/worker/dist/main.js</code>.</p>` : null}
      ${list.length > 0 ? html`
        <table class="data">
          <thead><tr><th>Worker</th><th>Status</th><th>Current task</th><th>Cluster</th><th>Last heartbeat</th><th>Host</th><th>Version</th><th></th></tr></thead>
          <tbody>${list.map((worker) => html`<${WorkerRow} key=${worker.worker_id} worker=${worker} />`)}</tbody>
        </table>` : null}
    </section>`;
}

export const routes = [{ path: '/ui/workers', title: 'Workers', nav: 'Workers', View: Workers }];
