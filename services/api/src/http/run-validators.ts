import type Ajv from 'ajv';
import { ValidationError } from '@aiopslab/shared/errors/app-error';
import { createValidator } from '@aiopslab/shared/schemas/validator';
import type { ComparisonQuery } from '../runs/comparison-selection';
import { compareQuerySchema, ExportTasksQuery, exportTasksQuerySchema, listRunsQuerySchema, runExportQuerySchema, resultsQuerySchema, RunRequest, runCreationSchema, RunPatch, runPatchSchema } from '../runs/run-schemas';

export interface RunValidators {
  runId(value: string): string;
  runCreation(body: unknown): RunRequest;
  runPatch(body: unknown): RunPatch;
  listRunsQuery(query: unknown): { limit: number; cursor?: string };
  resultsQuery(query: unknown): { format: 'json' | 'csv'; by: 'task_type' | 'problem' };
  compareQuery(query: unknown): ComparisonQuery;
  exportTasksQuery(query: unknown): ExportTasksQuery;
  runExportQuery(query: unknown): { format: 'ndjson' | 'atif' };
}

/** The validators of the runs endpoints; `query` checks one query string against a schema. */
export function createRunValidators(ajv: Ajv, query: <T>(schema: object) => (q: unknown) => T, maxTimeoutMinutes: number): RunValidators {
  const isUuid = ajv.compile({ type: 'string', format: 'uuid' });
  return {
    runId: (value) => {
      if (!isUuid(value)) throw new ValidationError(`run id "${String(value).slice(0, 100)}" is invalid: must be a run_id (a UUID)`, [{ field: 'id', rule: 'format', message: 'must be a run_id (a UUID), as POST /runs returned it' }]);
      return value;
    },
    runCreation: createValidator<RunRequest>(ajv, runCreationSchema(maxTimeoutMinutes), 'run'),
    runPatch: createValidator<RunPatch>(ajv, runPatchSchema, 'run'),
    listRunsQuery: query(listRunsQuerySchema),
    resultsQuery: query(resultsQuerySchema),
    compareQuery: query(compareQuerySchema),
    exportTasksQuery: query(exportTasksQuerySchema),
    runExportQuery: query(runExportQuerySchema),
  };
}
