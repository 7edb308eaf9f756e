/** A guarded transition lost a race (matched by name, so copies of the module agree). */
export function isStateConflict(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'TaskStateConflictError';
}
