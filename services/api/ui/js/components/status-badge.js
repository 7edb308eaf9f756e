import { html } from '../lib/html.js';

/** A task or worker status as a coloured pill; unknown statuses get the neutral colour. */
export function StatusBadge({ status }) {
  const name = String(status ?? 'unknown');
  return html`<span class=${`badge status-${name.replace(/[^a-z_]/gi, '')}`} data-status=${name}>${name.replace(/_/g, ' ')}</span>`;
}
