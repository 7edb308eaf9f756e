import { html } from '../lib/html.js';

/** A task's answer as a pill: correct (green), incorrect (red), agent/infra error, not scored; nothing while unknown. */
export function OutcomeBadge({ outcome }) {
  if (!outcome) return null;
  // An error's origin (setup, cluster, runner_crash, agent_config…) says whose failure it was.
  const origin = outcome.origin && (outcome.key === 'agent_error' || outcome.key === 'infra_error') ? outcome.origin : null;
  const title = outcome.key === 'infra_error' ? `the infrastructure failed (${outcome.origin ?? 'origin unknown'}): not the agent's failure` : outcome.key === 'agent_error' ? `the agent's own failure (${outcome.origin ?? 'origin unknown'})` : undefined;
  return html`<span class=${`badge outcome-${outcome.key}`} data-outcome=${outcome.key} data-origin=${outcome.origin ?? ''} title=${title}>${outcome.key === 'infra_error' ? '⚙ ' : ''}${outcome.label}${origin ? html`<small class="outcome-origin"> · ${origin}</small>` : null}</span>`;
}
