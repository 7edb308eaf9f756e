import { useState } from 'preact/hooks';
import { formatDuration, formatNumber } from '../lib/format.js';
import { html } from '../lib/html.js';

/** Past this many steps a slider replaces the row of step buttons. */
const MAX_DOTS = 40;

function text(value) {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function Tokens({ usage }) {
  if (!usage) return html`<span class="muted">no token usage reported</span>`;
  return html`<span>${formatNumber(usage.prompt_tokens)} in · ${formatNumber(usage.completion_tokens)} out · <strong>${formatNumber(usage.total_tokens)}</strong> total</span>`;
}

/** The agent's trajectory (result.trajectory), one step at a time: action, observation, tokens. */
export function TaskTrajectory({ result, finished }) {
  const steps = result?.trajectory ?? [];
  const [index, setIndex] = useState(0);
  if (steps.length === 0) return html`<p class="muted">${finished ? 'No steps were recorded.' : 'No steps yet: the trajectory is stored when the attempt ends.'}</p>`;
  const at = Math.min(index, steps.length - 1);
  const step = steps[at];
  return html`
    <div class="trajectory" tabindex="0" onKeyDown=${(e) => {
      if (e.target.tagName === 'INPUT') return; // the slider moves itself
      if (e.key === 'ArrowRight' && at < steps.length - 1) setIndex(at + 1);
      if (e.key === 'ArrowLeft' && at > 0) setIndex(at - 1);
    }}>
      <div class="stepper">
        <button type="button" onClick=${() => setIndex(at - 1)} disabled=${at === 0}>← Previous</button>
        <span class="step-count">Step ${step.n ?? at + 1} of ${steps.length}</span>
        <button type="button" onClick=${() => setIndex(at + 1)} disabled=${at === steps.length - 1}>Next →</button>
        ${steps.length <= MAX_DOTS
          ? html`<span class="step-dots">${steps.map((s, i) => html`<button type="button" class=${i === at ? 'dot current' : 'dot'} title=${`step ${s.n ?? i + 1}`} onClick=${() => setIndex(i)}>${s.n ?? i + 1}</button>`)}</span>`
          : html`<input type="range" class="step-range" aria-label="step" min="0" max=${steps.length - 1} value=${at} onInput=${(e) => setIndex(Number(e.currentTarget.value))} />`}
      </div>
      <div class="step">
        <h3>Action</h3>
        <pre class="action">${text(step.action) || '(none)'}</pre>
        <h3>Observation${step.observation_truncated ? html` <span class="muted small">(shortened)</span>` : null}</h3>
        <pre class="observation">${text(step.observation) || '(none)'}</pre>
        <div class="step-meta"><span>Tokens: <${Tokens} usage=${step.usage} /></span>${step.duration_s !== null && step.duration_s !== undefined ? html`<span>Took ${formatDuration(step.duration_s * 1000)}</span>` : null}</div>
      </div>
      ${result.usage ? html`<p class="muted small">Whole attempt: ${formatNumber(result.usage.total_tokens)} tokens over ${result.usage.steps_with_usage} steps with usage${result.trajectory_truncated ? '; later observations were shortened' : ''}.</p>` : null}
    </div>`;
}
