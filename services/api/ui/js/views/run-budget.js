import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { api } from '../lib/api.js';
import { formatUsd } from '../lib/format.js';
import { html } from '../lib/html.js';

/**
 * A budgeted run's budget_usd, what it spent (estimated from the price table) and the cells it
 * has not created yet; when the run is budget_exhausted, says so and offers to raise the budget
 * (PATCH /runs/{id} budget_usd), which creates the next wave at once. Nothing for a run without
 * a budget (it created every task at once).
 */
export function RunBudget({ run, onDone }) {
  const [value, setValue] = useState('');
  const [state, setState] = useState({ busy: false, error: null, message: null });
  if (run.budget_usd === null || run.budget_usd === undefined) return null;
  const exhausted = run.status === 'budget_exhausted';
  const submit = async (event) => {
    event.preventDefault();
    setState({ busy: true, error: null, message: null });
    try {
      const answer = await api(`/runs/${run.run_id}`, { method: 'PATCH', body: { budget_usd: Number(value) } });
      setState({ busy: false, error: null, message: `Budget raised from ${formatUsd(answer.previous_budget_usd)} to ${formatUsd(answer.budget_usd)}: ${answer.tasks_created} ${answer.tasks_created === 1 ? 'task' : 'tasks'} created.` });
      setValue('');
    } catch (error) {
      setState({ busy: false, error, message: null });
    }
    onDone();
  };
  return html`
    <div class=${`run-budget notice ${exhausted ? 'warn' : 'plain'}`} data-budget=${run.budget_usd}>
      <strong>${exhausted ? 'Budget exhausted' : 'Budget'}</strong>
      · budget <span data-cell="budget">${formatUsd(run.budget_usd)}</span>
      ${run.estimated_cost_usd !== null && run.estimated_cost_usd !== undefined ? html` · spent (est.) <span data-cell="spent">${formatUsd(run.estimated_cost_usd)}</span>` : null}
      ${run.cells_not_created > 0 ? html` · <span data-cell="not-created">${run.cells_not_created}</span> ${run.cells_not_created === 1 ? 'cell' : 'cells'} not created yet` : null}
      ${exhausted ? html`<div class="small">Nothing is running and the next task does not fit in the budget. Raise it to go on.</div>` : null}
      ${run.status === 'cancelled' ? null : html`
        <form class="budget-form" onSubmit=${submit}>
          <label>New budget (USD) <input name="budget_usd" type="number" step="any" min=${run.budget_usd} required value=${value} onInput=${(e) => setValue(e.currentTarget.value)} /></label>
          <button type="submit" class="primary" disabled=${state.busy}>Raise budget</button>
        </form>`}
      ${state.message ? html`<div class="small" role="status" data-budget-result>${state.message}</div>` : null}
      <${ErrorNotice} error=${state.error} action="Raising the budget failed" />
    </div>`;
}
