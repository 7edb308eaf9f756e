import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';

async function readHealth(signal) {
  const response = await fetch('/health', { signal, headers: { accept: 'application/json' } });
  return response.json(); // 503 (database down) carries the same body
}

/** A line under the navigation while the api reports itself degraded (GET /health): red without the database, amber without the broker. */
export function HealthBanner() {
  const health = usePoll(readHealth, 10_000, []);
  if (health.error) return html`<div class="banner down" role="status">The api is not answering /health: is it running?</div>`;
  const h = health.data;
  if (!h || h.status === 'ok') return null;
  const text = h.database_status === 'down'
    ? 'The database is down: the api cannot accept or show tasks until it is back.'
    : `${h.detail ?? 'RabbitMQ is unreachable.'}${h.outbox_backlog ? ` (${h.outbox_backlog} messages waiting in the outbox)` : ''}`;
  const level = h.database_status === 'down' ? 'down' : 'degraded';
  return html`<div class=${`banner ${level}`} role="status" data-health=${level}>${text}</div>`;
}
