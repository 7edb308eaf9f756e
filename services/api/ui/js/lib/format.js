/** Display helpers: times, ages and durations as a person reads them. */

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '';
}

/** "2026-01-05 14:03:12" in the browser's time zone: always with its date (a list spans days). */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function between(startIso, endIso) {
  if (!startIso) return null;
  return (endIso ? new Date(endIso) : new Date()).getTime() - new Date(startIso).getTime();
}

export function formatAge(iso) {
  const ms = between(iso, null);
  return ms === null ? '' : `${formatDuration(ms)} ago`;
}

export function formatNumber(n) {
  return n === null || n === undefined ? '' : Number(n).toLocaleString();
}

/** A `datetime-local` input value ↔ an ISO instant in the browser's time zone. */
export function localInputToIso(value) {
  return value ? new Date(value).toISOString() : '';
}

export function isoToLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export const TERMINAL_STATUSES = ['completed', 'failed', 'timed_out', 'cancelled'];
export const TASK_STATUSES = ['pending', 'processing', 'retrying', ...TERMINAL_STATUSES];

/** 0.8333 → "83.3 %"; rates of the results table and the comparison. */
export function formatPercent(rate, digits = 1) {
  return rate === null || rate === undefined ? '' : `${(rate * 100).toFixed(digits)} %`;
}

/** A number with at most `digits` decimals, trailing zeros dropped: 0.40425 → "0.404". */
export function formatDecimal(n, digits = 3) {
  return n === null || n === undefined ? '' : String(Number(Number(n).toFixed(digits)));
}

export function formatUsd(usd) {
  if (usd === null || usd === undefined) return '';
  if (usd > 0 && usd < 0.0001) return '< $0.0001';
  return usd < 0.01 && usd > 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** An agent_config in a few words: "registry · gpt", "scripted · 2 scripted actions". */
export function describeAgentConfig(config) {
  if (!config) return '';
  return [config.kind, config.name ?? config.model ?? (config.actions ? `${config.actions.length} scripted ${config.actions.length === 1 ? 'action' : 'actions'}` : null)].filter(Boolean).join(' · ');
}
