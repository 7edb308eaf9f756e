import { ErrorNotice } from '../components/error-notice.js';
import { api, query } from '../lib/api.js';
import { html } from '../lib/html.js';
import { usePoll } from '../lib/poll.js';
import { ByAgentTable, ComparisonWarnings } from './paired-comparison.js';

/**
 * Two agents of this run, paired problem by problem: GET /runs/compare?a=<run>&agent_a=&agent_b=.
 * The picks live in the query string (?agent_a=&agent_b=), so a comparison is a link.
 */
export function RunAgentCompare({ run, agentA, agentB, onPick }) {
  const labels = run.agents.map((a) => a.label);
  const a = agentA ?? labels[0];
  const b = agentB ?? labels[1];
  const ready = labels.length > 1 && a && b && a !== b;
  const c = usePoll((signal) => (ready ? api(`/runs/compare${query({ a: run.run_id, agent_a: a, agent_b: b })}`, { signal }) : Promise.resolve(null)), 0, [run.run_id, a, b, run.counts]);
  if (labels.length < 2) return html`<p class="muted">This run has one agent: nothing to pair within it (compare with another run below).</p>`;
  const select = (name, value, other) => html`
    <select name=${name} value=${value} onChange=${(e) => onPick(name === 'agent_a' ? { agent_a: e.currentTarget.value, agent_b: other } : { agent_a: other, agent_b: e.currentTarget.value })}>
      ${labels.map((l) => html`<option value=${l}>${l}</option>`)}
    </select>`;
  return html`
    <div class="agent-compare">
      <p><label class="inline">Agent a ${select('agent_a', a, b)}</label> <label class="inline">against agent b ${select('agent_b', b, a)}</label></p>
      ${a === b ? html`<p class="muted">Pick two different agents.</p>` : null}
      <${ErrorNotice} error=${c.error} action="Comparing the agents failed" />
      ${c.data ? html`
        <${ComparisonWarnings} warnings=${c.data.warnings} />
        <${ByAgentTable} rows=${c.data.by_agent} />
        <p class="muted small">Pairs are problems both agents scored; a side solves a problem when most of its repeats did. McNemar's exact test counts the problems only one side solved; p is null with no such problem.</p>` : null}
    </div>`;
}
