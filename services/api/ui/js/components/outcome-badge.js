import { html } from '../lib/html.js';

/** A task's answer as a pill: correct (green), incorrect (red), agent/infra error, not scored; nothing while unknown. */
export function OutcomeBadge({ outcome }) {
  if (!outcome) return null;
  return html`<span class=${`badge outcome-${outcome.key}`} data-outcome=${outcome.key}>${outcome.label}</span>`;
}
