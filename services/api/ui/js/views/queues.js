import { ErrorNotice } from '../components/error-notice.js';
import { api } from '../lib/api.js';
import { formatAge, formatNumber } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';

function Outbox({ outbox }) {
  const scheduled = outbox.unpublished - outbox.due;
  return html`
    <div class="stats">
      <div class="stat"><span class="stat-value" data-stat="outbox-due">${formatNumber(outbox.due)}</span><span class="stat-label">outbox: due, not yet published</span></div>
      <div class="stat"><span class="stat-value">${formatNumber(scheduled)}</span><span class="stat-label">outbox: scheduled (retry backoff)</span></div>
      <div class="stat"><span class="stat-value">${outbox.oldest_due_at ? formatAge(outbox.oldest_due_at) : '—'}</span><span class="stat-label">oldest due message</span></div>
    </div>`;
}

function QueueTable({ queues, prefix }) {
  if (queues.length === 0) return html`<p class="empty">No queues with prefix "${prefix}" on the broker yet; the api declares them when it connects.</p>`;
  return html`
    <table class="data">
      <thead><tr><th>Queue</th><th class="num">Ready</th><th class="num">Unacked</th><th class="num">Consumers</th><th>Type</th><th>State</th></tr></thead>
      <tbody>${queues.map((q) => html`
        <tr key=${q.name} data-queue=${q.name.slice(prefix.length)}>
          <td class="mono" title=${q.name}>${q.name.slice(prefix.length)}</td>
          <td class="num">${formatNumber(q.ready)}</td>
          <td class="num">${formatNumber(q.unacked)}</td>
          <td class="num">${formatNumber(q.consumers)}</td>
          <td>${q.type ?? ''}</td>
          <td>${q.state ?? ''}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

/** GET /queues: Ready/Unacked per queue of this deployment and the outbox backlog. */
function Queues() {
  const state = usePoll((signal) => api('/queues', { signal }), 3000, []);
  const data = state.data;
  return html`
    <section>
      <div class="view-head">
        <h1>Queues</h1>
        ${data ? html`<a class="button" href=${`${data.management.ui_url}/#/queues`} target="_blank" rel="noopener">Open the RabbitMQ management UI ↗</a>` : null}
      </div>
      <${ErrorNotice} error=${state.error} action="Loading queues failed" />
      ${data ? html`
        <div class="card">
          <h2>Broker queues ${data.queue_prefix ? html`<span class="muted small">prefix ${data.queue_prefix} · vhost ${data.vhost}</span>` : html`<span class="muted small">vhost ${data.vhost}</span>`}</h2>
          ${data.management.status === 'up'
            ? html`<${QueueTable} queues=${data.queues} prefix=${data.queue_prefix} />`
            : html`<div class="notice warn" role="status"><strong>Queue figures unavailable.</strong> ${data.management.detail}</div>`}
        </div>
        <div class="card"><h2>Outbox <span class="muted small">messages committed, not yet confirmed by the broker</span></h2><${Outbox} outbox=${data.outbox} /></div>` : null}
    </section>`;
}

export const routes = [{ path: '/ui/queues', title: 'Queues', nav: 'Queues', View: Queues }];
