import type { ResultsRow } from './results-table';

/** One CSV field (RFC 4180): empty for null, quoted when it holds a comma, quote or line break. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The columns an interval field becomes: its limits, B and seed (method and level are in the JSON's definitions). */
const INTERVAL_PARTS = ['low', 'high', 'B', 'seed'] as const;

/** A row's fields as (column, value) pairs: an interval object becomes <field>_low, <field>_high, <field>_B, <field>_seed. */
function columnsOf(row: ResultsRow): [string, unknown][] {
  const columns: [string, unknown][] = [];
  for (const [key, value] of Object.entries(row)) {
    if (key === 'pass_hat_k') continue;
    if (key === 'success_rate_ci') {
      const interval = value as Record<string, unknown> | null;
      for (const part of INTERVAL_PARTS) columns.push([`${key}_${part}`, interval?.[part] ?? null]);
    } else columns.push([key, value]);
  }
  return columns;
}

/** The results table as CSV (RFC 4180): one column per field, pass^k as pass_hat_1 … pass_hat_<repeats>. */
export function resultsCsv(rows: ResultsRow[], repeats: number): string {
  const passColumns = Array.from({ length: repeats }, (_, i) => String(i + 1));
  const names = rows[0] ? columnsOf(rows[0]).map(([name]) => name) : ['agent_label', 'task_type', 'n'];
  const header = [...names, ...passColumns.map((k) => `pass_hat_${k}`)];
  const lines = rows.map((row) => [...columnsOf(row).map(([, value]) => csvCell(value)), ...passColumns.map((k) => csvCell(row.pass_hat_k[k]))].join(','));
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
