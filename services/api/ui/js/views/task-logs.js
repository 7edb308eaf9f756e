import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { followEvents } from '../lib/event-stream.js';
import { formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';

const MAX_LINES = 5000;

/** Live logs over GET /tasks/{id}/logs?follow=true (server-sent events), until the task ends. */
export function TaskLogs({ taskId }) {
  const [lines, setLines] = useState([]);
  const [state, setState] = useState({ phase: 'connecting', error: null, endStatus: null });
  const box = useRef(null);
  const pinned = useRef(true);

  useEffect(() => {
    const controller = new AbortController();
    // A stream replays up to 1000 stored lines at once: add them to the view once per frame.
    let pending = [];
    let frame = null;
    const flush = () => {
      frame = null;
      const batch = pending;
      pending = [];
      setLines((old) => old.concat(batch).slice(-MAX_LINES));
    };
    followEvents(`/tasks/${taskId}/logs?follow=true`, {
      signal: controller.signal,
      onConnected: () => setState((s) => ({ ...s, phase: 'live', error: null })),
      onError: (error) => setState((s) => ({ ...s, phase: 'reconnecting', error })),
      onEvent: (event) => {
        if (event.event === 'log') {
          pending.push(JSON.parse(event.data));
          if (pending.length > 2 * MAX_LINES) pending = pending.slice(-MAX_LINES); // no frames while the tab is hidden
          frame ??= requestAnimationFrame(flush);
        }
        if (event.event === 'end') setState({ phase: 'ended', error: null, endStatus: JSON.parse(event.data).status });
      },
    });
    return () => {
      controller.abort();
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [taskId]);

  useEffect(() => {
    if (pinned.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  const onScroll = () => {
    const el = box.current;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };

  const label = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', ended: `ended (${state.endStatus ?? ''})` }[state.phase];
  return html`
    <div class="logs-panel">
      <div class="logs-head"><span class=${`stream-state ${state.phase}`}>${label}</span><span class="muted small">${lines.length} lines</span></div>
      ${state.error ? html`<${ErrorNotice} error=${state.error} action="Log stream" />` : null}
      <div class="logs" ref=${box} onScroll=${onScroll}>
        ${lines.length === 0 ? html`<div class="muted">No log lines yet.</div>` : null}
        ${lines.map((line) => html`
          <div key=${line.seq} class=${`log-line ${line.stream} level-${line.level}`}>
            <span class="log-ts" title=${line.ts}>${formatTime(line.ts)}</span>
            <span class="log-stream">${line.stream}</span>
            <span class="log-msg">${line.message}</span>
          </div>`)}
      </div>
    </div>`;
}
