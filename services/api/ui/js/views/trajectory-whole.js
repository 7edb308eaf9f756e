import { html } from '../lib/html.js';
import { TrajectoryStep } from './trajectory-step.js';

/** Every step of the trajectory on one page, in order, each with its number: read or search it whole. */
export function TrajectoryWhole({ steps }) {
  return html`
    <ol class="trajectory-whole">
      ${steps.map((step, i) => html`
        <li key=${i} data-step=${step.n ?? i + 1}>
          <div class="step-head"><strong>Step ${step.n ?? i + 1}</strong><span class="muted small">of ${steps.length}</span></div>
          <${TrajectoryStep} step=${step} />
        </li>`)}
    </ol>`;
}
