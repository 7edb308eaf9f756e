import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { api } from '../lib/api.js';
import { html } from '../lib/html.js';

function describeRetry(answer) {
  if (answer.retried === 0) return 'Nothing to retry: no grid cell ends in a failed, timed-out or cancelled task.';
  return `Retried ${answer.retried} ${answer.retried === 1 ? 'task' : 'tasks'}: each is a new task in the same grid cell.`;
}

function describeCancel(answer) {
  const parts = [`Cancelled ${answer.cancelled} waiting ${answer.cancelled === 1 ? 'task' : 'tasks'}`];
  if (answer.cancel_requested > 0) parts.push(`asked the workers to stop ${answer.cancel_requested} running ${answer.cancel_requested === 1 ? 'one' : 'ones'}`);
  return `${parts.join('; ')}.`;
}

/**
 * Grid cells "Retry failed" would retry: those whose latest task failed, timed out or was
 * cancelled, read from the results' overall rows (each cell counts once, by its latest task; the
 * run's `counts` still hold the tasks a retry replaced). 0 until the results are loaded.
 */
export function retryableCells(results) {
  const overall = (results?.rows ?? []).filter((row) => row.task_type === 'all');
  return overall.reduce((sum, row) => sum + (row.failed ?? 0) + (row.timed_out ?? 0) + (row.cancelled ?? 0), 0);
}

/**
 * "Retry failed" (POST /runs/{id}/retry) and "Cancel run" (DELETE /runs/{id}), each after a
 * confirm; says what happened in words, then `onDone` reloads the run.
 */
export function useRunActions(run, onDone, results) {
  const [state, setState] = useState({ busy: false, error: null, message: null });
  const act = async (request, describe) => {
    setState({ busy: true, error: null, message: null });
    try {
      setState({ busy: false, error: null, message: describe(await request()) });
    } catch (error) {
      setState({ busy: false, error, message: null });
    }
    onDone();
  };
  const unsuccessful = retryableCells(results);
  const retry = () => window.confirm(`Retry every failed, timed-out or cancelled task of "${run.name}"?`)
    && act(() => api(`/runs/${run.run_id}/retry`, { method: 'POST' }), describeRetry);
  const cancel = () => window.confirm(`Cancel "${run.name}"? Waiting tasks are cancelled at once and running ones are stopped.`)
    && act(() => api(`/runs/${run.run_id}`, { method: 'DELETE' }), describeCancel);

  const buttons = html`
    <button type="button" class="primary" disabled=${state.busy || unsuccessful === 0} title=${unsuccessful === 0 ? 'nothing to retry: no grid cell ends in a failed, timed-out or cancelled task' : `${unsuccessful} ${unsuccessful === 1 ? 'cell' : 'cells'} to retry`} data-retryable=${unsuccessful} onClick=${retry}>Retry failed</button>
    <button type="button" class="danger" disabled=${state.busy || run.status !== 'running'} title=${run.status !== 'running' ? `the run is ${run.status}` : ''} onClick=${cancel}>Cancel run</button>`;
  const notices = html`
    ${state.message ? html`<div class="notice ok" role="status" data-action-result>${state.message}</div>` : null}
    <${ErrorNotice} error=${state.error} action="Action failed" />`;
  return { buttons, notices };
}
