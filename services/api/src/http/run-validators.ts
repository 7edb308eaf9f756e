import type Ajv from 'ajv';
import { createValidator } from '@aiopslab/shared/schemas/validator';
import { compareQuerySchema, ExportTasksQuery, exportTasksQuerySchema, listRunsQuerySchema, resultsQuerySchema, RunCreation, runCreationSchema } from '../runs/run-schemas';

export interface RunValidators {
  runCreation(body: unknown): RunCreation;
  listRunsQuery(query: unknown): { limit: number; cursor?: string };
  resultsQuery(query: unknown): { format: 'json' | 'csv' };
  compareQuery(query: unknown): { a: string; b: string };
  exportTasksQuery(query: unknown): ExportTasksQuery;
}

/** The validators of the runs endpoints; `query` checks one query string against a schema. */
export function createRunValidators(ajv: Ajv, query: <T>(schema: object) => (q: unknown) => T, maxTimeoutMinutes: number): RunValidators {
  return {
    runCreation: createValidator<RunCreation>(ajv, runCreationSchema(maxTimeoutMinutes), 'run'),
    listRunsQuery: query(listRunsQuerySchema),
    resultsQuery: query(resultsQuerySchema),
    compareQuery: query(compareQuerySchema),
    exportTasksQuery: query(exportTasksQuerySchema),
  };
}
