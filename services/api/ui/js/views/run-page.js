import { useEffect, useRef, useState } from 'preact/hooks';
import { DownloadLink } from '../components/download-link.js';
import { ErrorNotice } from '../components/error-notice.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { api, query } from '../lib/api.js';
import { between, describeAgentConfig, formatDuration, formatNumber, formatTime, formatUsd } from '../lib/format.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';
import { navigate } from '../lib/router.js';
import { useRunActions } from './run-actions.js';
import { RunAgentCompare } from './run-agent-compare.js';
import { RunBudget } from './run-budget.js';
import { RunChart } from './run-chart.js';
import { RunCompare } from './run-compare.js';
import { RunHeatmap } from './run-heatmap.js';
import { RunResultsTable } from './run-results-table.js';

const LIVE_MS = 2000;

function Summary({ run }) {
  const waiting = run.status === 'budget_exhausted' ? 'waiting for a higher budget' : `running for ${formatDuration(between(run.created_at, null))}`;
  const took = run.finished_at ? `took ${formatDuration(between(run.created_at, run.finished_at))}` : waiting;
  const parts = [
    `${run.problem_count} problems × ${run.agents.length} agents × ${run.repeats} repeats = ${run.grid_size} cells`,
    `${run.task_count} tasks${run.task_count > run.grid_size ? ` (${run.task_count - run.grid_size} retries)` : ''}`,
    `created ${formatTime(run.created_at)}`,
    took,
    run.estimated_cost_usd !== null ? `est. cost ${formatUsd(run.estimated_cost_usd)}` : null,
    run.infra_retries_due > 0 ? `${run.infra_retries_due} infra ${run.infra_retries_due === 1 ? 'retry' : 'retries'} due (max ${run.max_infra_retries} per cell)` : null,
  ].filter(Boolean);
  return html`<p class="run-summary muted small"><span class="mono">${run.run_id}</span> · ${parts.join(' · ')}</p>`;
}

function Agents({ run }) {
  return html`
    <table class="data agents">
      <thead><tr><th>Agent</th><th>Config</th><th>Progress</th><th class="num" title="prompt / completion tokens the runner reported">Tokens</th><th class="num">Est. cost</th></tr></thead>
      <tbody>${run.agents.map((agent) => html`
        <tr key=${agent.label} data-agent=${agent.label}>
          <td><a href=${`/ui/tasks${query({ run_id: run.run_id, agent_label: agent.label })}`}>${agent.label}</a></td>
          <td class="wrap muted">${describeAgentConfig(agent.agent_config)}</td>
          <td class="progress-cell"><${ProgressBar} counts=${agent.counts} total=${agent.task_count} compact /></td>
          <td class="num">${formatNumber(agent.tokens.prompt_tokens)} / ${formatNumber(agent.tokens.completion_tokens)}</td>
          <td class="num" title=${agent.price_key ? `priced as ${agent.price_key}` : 'no PRICE_TABLE entry'}>${agent.estimated_cost ? formatUsd(agent.estimated_cost.usd) : html`<span class="muted">—</span>`}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

function Links({ run }) {
  return html`
    <div class="run-links">
      <a class="button" href=${`/ui/tasks${query({ run_id: run.run_id })}`}>Tasks of this run</a>
      <${DownloadLink} href=${`/runs/${run.run_id}/results?format=csv`} filename=${`run-${run.run_id}-results.csv`}>Results CSV<//>
      <${DownloadLink} href=${`/runs/${run.run_id}/export`} filename=${`run-${run.run_id}.ndjson`}>Export (NDJSON, with trajectories)<//>
    </div>`;
}

/**
 * One run: progress by status, per-agent progress and cost, the results table and chart, the
 * retry and cancel buttons, downloads, and a comparison with another run. Polls while the run is
 * running; the results reload whenever the counts change (the api caches them by counts).
 */
function RunPage({ params, location }) {
  const id = params.id;
  const [live, setLive] = useState(true);
  const run = usePoll((signal) => api(`/runs/${encodeURIComponent(id)}`, { signal }), live ? LIVE_MS : 0, [id]);
  const r = run.data;
  useEffect(() => {
    if (r) setLive(r.status === 'running');
    // budget_exhausted waits for PATCH /runs/{id}: RunBudget refreshes after it.
  }, [r?.status]);
  const results = usePoll((signal) => (r ? api(`/runs/${encodeURIComponent(id)}/results`, { signal }) : Promise.resolve(null)), 0, [id, r?.counts ?? null]);
  // New counts reload the results: keep the last table on screen meanwhile, not a blank.
  const lastResults = useRef(null);
  if (results.data) lastResults.current = results.data;
  const table = results.data ?? lastResults.current;
  // Results that match the run's current counts, or none: stale ones would offer a retry already made.
  const actions = useRunActions(r ?? { counts: {}, status: 'loading' }, run.refresh, results.data);
  const otherId = location.params.get('compare');
  const pickAgents = { agent_a: location.params.get('agent_a'), agent_b: location.params.get('agent_b') };
  const pick = (other) => navigate(`/ui/runs/${id}${query({ compare: other, ...pickAgents })}`, { replace: true });
  const pickPair = (pair) => navigate(`/ui/runs/${id}${query({ compare: otherId, ...pair })}`, { replace: true });

  if (!r) return html`<section><div class="view-head"><h1>Run</h1></div><${ErrorNotice} error=${run.error} action="Loading the run failed" />${run.loading ? html`<p class="muted">Loading…</p>` : null}</section>`;
  return html`
    <section class="run-page" data-run-id=${r.run_id}>
      <div class="view-head">
        <h1>${r.name} <${StatusBadge} status=${r.status} />${r.calibration ? html` <span class="badge calibration" data-calibration title="a calibration run: the reference agents measure the problems (Problem health)">calibration</span>` : null}</h1>
        <div class="actions">${actions.buttons}</div>
      </div>
      <${Summary} run=${r} />
      <${RunBudget} run=${r} onDone=${run.refresh} />
      ${actions.notices}
      <${ErrorNotice} error=${run.error} action="Refreshing the run failed" />
      <div class="grid-2">
        <div class="card">
          <h2>Progress</h2>
          <${ProgressBar} counts=${r.counts} total=${r.task_count} />
          <h3>By agent</h3>
          <${Agents} run=${r} />
          <${Links} run=${r} />
        </div>
        <div class="card"><h2>Success rate by agent</h2>${table ? html`<${RunChart} rows=${table.rows} />` : html`<p class="muted">Loading…</p>`}</div>
      </div>
      <div class="card results-card">
        <h2>Results <span class="muted small">each grid cell counts once, by its latest task; hover a column for its definition</span></h2>
        <${ErrorNotice} error=${results.error} action="Loading results failed" />
        ${table ? html`<${RunResultsTable} table=${table} runId=${r.run_id} />` : html`<p class="muted">Loading results…</p>`}
      </div>
      <div class="card heatmap-card"><h2>Results by problem <span class="muted small">solved / scored repeats per problem × agent</span></h2><${RunHeatmap} runId=${r.run_id} counts=${r.counts} /></div>
      <div class="card agent-compare-card"><h2>Agents compared <span class="muted small">paired by problem, within this run</span></h2><${RunAgentCompare} run=${r} agentA=${pickAgents.agent_a} agentB=${pickAgents.agent_b} onPick=${pickPair} /></div>
      <div class="card"><h2>Compare</h2><${RunCompare} runId=${r.run_id} otherId=${otherId} onPick=${pick} /></div>
    </section>`;
}

export const routes = [{ path: '/ui/runs/:id', title: 'Run', View: RunPage }];
