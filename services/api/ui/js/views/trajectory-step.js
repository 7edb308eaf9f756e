import { formatDuration, formatNumber } from '../lib/format.js';
import { html } from '../lib/html.js';

function text(value) {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function Tokens({ usage }) {
  if (!usage) return html`<span class="muted">no token usage reported</span>`;
  return html`<span>${formatNumber(usage.prompt_tokens)} in · ${formatNumber(usage.completion_tokens)} out · <strong>${formatNumber(usage.total_tokens)}</strong> total</span>`;
}

/** One step of a trajectory: the agent's action, what it observed, its tokens and time. */
export function TrajectoryStep({ step }) {
  return html`
    <div class="step">
      <h3>Action</h3>
      <pre class="action">${text(step.action) || '(none)'}</pre>
      <h3>Observation${step.observation_truncated ? html` <span class="muted small">(shortened)</span>` : null}</h3>
      <pre class="observation">${text(step.observation) || '(none)'}</pre>
      <div class="step-meta"><span>Tokens: <${Tokens} usage=${step.usage} /></span>${step.duration_s !== null && step.duration_s !== undefined ? html`<span>Took ${formatDuration(step.duration_s * 1000)}</span>` : null}</div>
    </div>`;
}
