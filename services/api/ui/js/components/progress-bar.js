import { formatNumber } from '../lib/format.js';
import { html } from '../lib/html.js';

/** Finished statuses first (left), then the work still to do. */
const ORDER = ['completed', 'failed', 'timed_out', 'cancelled', 'processing', 'retrying', 'pending'];
const DONE = ['completed', 'failed', 'timed_out', 'cancelled'];

export function finishedCount(counts) {
  return DONE.reduce((sum, status) => sum + (counts?.[status] ?? 0), 0);
}

/**
 * A run's tasks by status as one stacked bar (segment widths set through the style object,
 * which the page's CSP allows, unlike style attributes). `compact` leaves out the legend.
 */
export function ProgressBar({ counts, total, compact = false }) {
  const all = total ?? ORDER.reduce((sum, status) => sum + (counts?.[status] ?? 0), 0);
  const parts = ORDER.filter((status) => (counts?.[status] ?? 0) > 0);
  const done = finishedCount(counts);
  const title = parts.map((status) => `${status.replace('_', ' ')} ${counts[status]}`).join(' · ');
  return html`
    <div class=${`progress${compact ? ' compact' : ''}`} data-finished=${done} data-total=${all}>
      <div class="progress-track" title=${title} role="img" aria-label=${`${done} of ${all} tasks finished: ${title}`}>
        ${parts.map((status) => html`<span key=${status} class=${`progress-seg status-${status}`} style=${{ width: `${(100 * counts[status]) / Math.max(all, 1)}%` }}></span>`)}
      </div>
      ${compact
        ? html`<span class="progress-text small">${formatNumber(done)}/${formatNumber(all)}</span>`
        : html`<div class="progress-legend small">
            <strong>${formatNumber(done)} of ${formatNumber(all)} finished</strong>
            ${parts.map((status) => html`<span key=${status} class="legend-item" data-count-status=${status}><i class=${`swatch status-${status}`}></i>${status.replace('_', ' ')} <b>${formatNumber(counts[status])}</b></span>`)}
          </div>`}
    </div>`;
}
