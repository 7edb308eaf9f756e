import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../lib/html.js';
import { rateWithError } from './run-results-table.js';

const HEIGHT = 260;
const BAR = '#6f8fe6';
const INK = '#1d2330';

/** Bars of the agents' success rates, from the rows of one task type (overall by default). */
export function chartBars(rows, taskType) {
  return rows.filter((row) => row.task_type === taskType).map((row) => ({ label: row.agent_label, rate: row.success_rate, stderr: row.success_rate_stderr }));
}

/** Draws ± standard error whiskers and the value over each bar, on uPlot's canvas. */
function drawErrorBars(bars) {
  return (u) => {
    const { ctx } = u;
    const px = uPlot.pxRatio;
    ctx.save();
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = 1.5 * px;
    ctx.font = `${12 * px}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    bars.forEach((bar, i) => {
      if (bar.rate === null) return;
      const x = u.valToPos(i, 'x', true);
      const top = bar.stderr ? Math.min(1, bar.rate + bar.stderr) : bar.rate;
      if (bar.stderr) {
        const y0 = u.valToPos(Math.max(0, bar.rate - bar.stderr), 'y', true);
        const y1 = u.valToPos(top, 'y', true);
        const w = 7 * px;
        ctx.beginPath();
        ctx.moveTo(x, y0);
        ctx.lineTo(x, y1);
        ctx.moveTo(x - w, y0);
        ctx.lineTo(x + w, y0);
        ctx.moveTo(x - w, y1);
        ctx.lineTo(x + w, y1);
        ctx.stroke();
      }
      ctx.fillText(`${Math.round(bar.rate * 100)} %`, x, u.valToPos(top, 'y', true) - 6 * px);
    });
    ctx.restore();
  };
}

function chartOptions(bars, width) {
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, bars.length - 0.5] }, y: { range: [0, 1.1] } },
    axes: [
      { splits: () => bars.map((_, i) => i), values: (_, splits) => splits.map((i) => bars[i]?.label ?? ''), grid: { show: false } },
      { splits: () => [0, 0.25, 0.5, 0.75, 1], values: (_, splits) => splits.map((v) => `${v * 100} %`), size: 56, label: 'success rate', labelSize: 18 },
    ],
    series: [{}, { label: 'success rate', fill: BAR, stroke: BAR, paths: uPlot.paths.bars({ size: [0.5, 90] }), points: { show: false } }],
    hooks: { draw: [drawErrorBars(bars)] },
  };
}

/** uPlot bar chart: one bar per agent, whiskers ± one standard error (over repeats). */
export function RunChart({ rows }) {
  const types = [...new Set(rows.map((row) => row.task_type))].sort((a, b) => (a === 'all') - (b === 'all') || a.localeCompare(b));
  const [taskType, setTaskType] = useState('all');
  const bars = chartBars(rows, types.includes(taskType) ? taskType : 'all');
  const box = useRef(null);
  const key = JSON.stringify(bars);

  useEffect(() => {
    if (bars.length === 0) return undefined;
    const el = box.current;
    const data = [bars.map((_, i) => i), bars.map((bar) => bar.rate)];
    const plot = new uPlot(chartOptions(bars, el.clientWidth), data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [key]);

  if (bars.length === 0) return html`<p class="muted">No agent has a scored task yet.</p>`;
  return html`
    <figure class="run-chart">
      <div class="chart-head">
        <label class="inline small">Task type
          <select name="chart_task_type" value=${taskType} onChange=${(e) => setTaskType(e.currentTarget.value)}>
            ${types.map((t) => html`<option value=${t}>${t === 'all' ? 'overall' : t}</option>`)}
          </select>
        </label>
      </div>
      <div class="chart-box" ref=${box}></div>
      <figcaption class="muted small">
        Success rate per agent; whiskers are ± one standard error over repeats.
        ${bars.map((bar) => html` <span class="chart-value" data-agent=${bar.label}><b>${bar.label}</b> ${rateWithError(bar.rate, bar.stderr)}</span>`)}
      </figcaption>
    </figure>`;
}
