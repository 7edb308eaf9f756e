import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { isoToLocalInput, localInputToIso, TASK_STATUSES } from '../lib/format.js';

/** The list's filters, in the URL's query string under the api's own parameter names. */
export const FILTER_KEYS = ['status', 'problem_id', 'task_type', 'run_id', 'agent_label', 'worker_id', 'created_after', 'created_before'];

export function filtersFrom(params) {
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, params.get(key) ?? '']));
}

/** The agent labels of the chosen run, or of every listed run. */
function agentLabels(runs, runId) {
  const chosen = (runs ?? []).filter((r) => !runId || r.run_id === runId);
  return [...new Set(chosen.flatMap((r) => r.agent_labels))].sort();
}

function Field({ label, children }) {
  return html`<label class="field"><span>${label}</span>${children}</label>`;
}

/**
 * Choices and dates apply at once; typed values apply on Enter or "Apply". `onApply` receives the
 * complete filter object (empty strings for unset filters).
 */
export function TaskFilters({ filters, problems, workers, runs, onApply }) {
  const [draft, setDraft] = useState(filters);
  const set = (key, apply = false) => (event) => {
    const next = { ...draft, [key]: event.currentTarget.value };
    setDraft(next);
    if (apply) onApply(next);
  };
  const setTime = (key) => (event) => {
    const next = { ...draft, [key]: localInputToIso(event.currentTarget.value) };
    setDraft(next);
    onApply(next);
  };
  const types = [...new Set((problems ?? []).map((p) => p.task_type))].sort();
  const clear = () => {
    const empty = Object.fromEntries(FILTER_KEYS.map((key) => [key, '']));
    setDraft(empty);
    onApply(empty);
  };
  return html`
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); onApply(draft); }}>
      <${Field} label="Status">
        <select name="status" value=${draft.status} onChange=${set('status', true)}>
          <option value="">any</option>
          ${TASK_STATUSES.map((s) => html`<option value=${s}>${s.replace('_', ' ')}</option>`)}
        </select>
      <//>
      <${Field} label="Task type">
        <select name="task_type" value=${draft.task_type} onChange=${set('task_type', true)}>
          <option value="">any</option>
          ${types.map((t) => html`<option value=${t}>${t}</option>`)}
        </select>
      <//>
      <${Field} label="Problem">
        <input name="problem_id" list="problem-ids" placeholder="problem id" value=${draft.problem_id} onInput=${set('problem_id')} />
        <datalist id="problem-ids">${(problems ?? []).map((p) => html`<option value=${p.id} />`)}</datalist>
      <//>
      <${Field} label="Run">
        <input name="run_id" list="run-ids" placeholder="run id" value=${draft.run_id} onInput=${set('run_id')} />
        <datalist id="run-ids">${(runs ?? []).map((r) => html`<option value=${r.run_id} label=${r.name} />`)}</datalist>
      <//>
      <${Field} label="Agent">
        <input name="agent_label" list="agent-labels" placeholder="agent label" value=${draft.agent_label} onInput=${set('agent_label')} />
        <datalist id="agent-labels">${agentLabels(runs, draft.run_id).map((label) => html`<option value=${label} />`)}</datalist>
      <//>
      <${Field} label="Worker">
        <input name="worker_id" list="worker-ids" placeholder="worker id" value=${draft.worker_id} onInput=${set('worker_id')} />
        <datalist id="worker-ids">${(workers ?? []).map((w) => html`<option value=${w.worker_id} />`)}</datalist>
      <//>
      <${Field} label="Created after"><input type="datetime-local" name="created_after" value=${isoToLocalInput(draft.created_after)} onChange=${setTime('created_after')} /><//>
      <${Field} label="Created before"><input type="datetime-local" name="created_before" value=${isoToLocalInput(draft.created_before)} onChange=${setTime('created_before')} /><//>
      <div class="filter-actions">
        <button type="submit" class="primary">Apply</button>
        <button type="button" onClick=${clear}>Clear</button>
      </div>
    </form>`;
}
