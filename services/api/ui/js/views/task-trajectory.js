import { useState } from 'preact/hooks';
import { formatNumber } from '../lib/format.js';
import { html } from '../lib/html.js';
import { TrajectoryStep } from './trajectory-step.js';
import { TrajectoryWhole } from './trajectory-whole.js';

/** Past this many steps a slider replaces the row of step buttons. */
const MAX_DOTS = 40;

function Stepper({ steps }) {
  const [index, setIndex] = useState(0);
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
      <${TrajectoryStep} step=${step} />
    </div>`;
}

/**
 * The agent's trajectory (result.trajectory): step by step (action, observation, tokens), or the
 * whole trajectory on one page.
 */
export function TaskTrajectory({ result, finished }) {
  const steps = result?.trajectory ?? [];
  const [whole, setWhole] = useState(false);
  if (steps.length === 0) return html`<p class="muted">${finished ? 'No steps were recorded.' : 'No steps yet: the trajectory is stored when the attempt ends.'}</p>`;
  return html`
    <div class="trajectory-view">
      <div class="trajectory-modes" role="group" aria-label="trajectory view">
        <button type="button" aria-pressed=${String(!whole)} onClick=${() => setWhole(false)}>Step by step</button>
        <button type="button" aria-pressed=${String(whole)} onClick=${() => setWhole(true)}>Whole trajectory (${steps.length} steps)</button>
      </div>
      ${whole ? html`<${TrajectoryWhole} steps=${steps} />` : html`<${Stepper} steps=${steps} />`}
      ${result.usage ? html`<p class="muted small">Whole attempt: ${formatNumber(result.usage.total_tokens)} tokens over ${result.usage.steps_with_usage} steps with usage${result.trajectory_truncated ? '; later observations were shortened' : ''}.</p>` : null}
    </div>`;
}
