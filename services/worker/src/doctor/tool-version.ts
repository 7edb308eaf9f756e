/** A `major.minor.patch` version as the tools print it (`kind v0.27.0 go1.23…`, `v3.17.3+g…`). */
export interface ToolVersion {
  major: number;
  minor: number;
  patch: number;
}

/** The first `v?X.Y.Z` in a tool's output, or null. */
export function parseToolVersion(output: string): ToolVersion | null {
  const match = /\bv?(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function compareVersions(a: ToolVersion, b: ToolVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatVersion(version: ToolVersion): string {
  return `v${version.major}.${version.minor}.${version.patch}`;
}
