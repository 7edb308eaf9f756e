import type { ResultsRow } from './results-table';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The results table as CSV (RFC 4180): one column per field, pass^k as pass_hat_1 … pass_hat_<repeats>. */
export function resultsCsv(rows: ResultsRow[], repeats: number): string {
  const passColumns = Array.from({ length: repeats }, (_, i) => String(i + 1));
  const sample = rows[0];
  const fields = (sample ? Object.keys(sample) : ['agent_label', 'task_type', 'n']).filter((key) => key !== 'pass_hat_k') as (keyof ResultsRow)[];
  const header = [...fields, ...passColumns.map((k) => `pass_hat_${k}`)];
  const lines = rows.map((row) => [...fields.map((f) => cell(row[f])), ...passColumns.map((k) => cell(row.pass_hat_k[k]))].join(','));
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
