import { formatDuration } from '../lib/format.js';
import { html } from '../lib/html.js';

function cell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function seconds(s) {
  return s === null || s === undefined ? '' : formatDuration(s * 1000);
}

function timings(result) {
  const d = result.durations;
  const parts = [['setup', d.setup_s], ['agent loop', d.loop_s], ['teardown', d.teardown_s], ['whole run', d.run_s]].filter(([, v]) => v !== null && v !== undefined).map(([label, v]) => `${label} ${seconds(v)}`);
  if (result.runner) parts.push(`runner exit ${result.runner.exit_code ?? result.runner.signal ?? 'unknown'}`);
  return parts.join(' · ');
}

/** The evaluation (result.results), where the time went, and the error when there is one. */
export function TaskResult({ task }) {
  const { result, error } = task;
  return html`
    <div class="result">
      ${error ? html`
        <div class=${`notice ${error.kind === 'cancelled' ? 'warn' : 'error'} task-error`}>
          <strong>${error.kind ?? 'error'}</strong>${error.message ? html`: ${error.message}` : null}
          ${error.phase ? html`<div class="muted small">in phase ${error.phase}</div>` : null}
          ${error.traceback ? html`<details><summary>Traceback</summary><pre>${error.traceback}</pre></details>` : null}
        </div>` : null}
      ${result?.results ? html`
        <table class="kv">
          <tbody>${Object.entries(result.results).map(([key, value]) => html`<tr><th>${key}</th><td>${cell(value)}</td></tr>`)}</tbody>
        </table>` : html`<p class="muted">${error ? 'No evaluation: the attempt did not finish.' : 'No evaluation yet.'}</p>`}
      ${result?.durations ? html`<p class="muted small">${timings(result)}</p>` : null}
    </div>`;
}
