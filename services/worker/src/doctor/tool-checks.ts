import type { CommandRunner } from '../clusters/command-runner';
import { type HostCheck, ok, problem } from './host-check';
import { HELM_TESTED_MAJOR, TOOL_MINIMA } from './host-requirements';
import { compareVersions, formatVersion, parseToolVersion } from './tool-version';

export type ToolName = keyof typeof TOOL_MINIMA;

/** What running `<tool> version` gave: its output, or why it could not run. */
export type ToolProbe = { found: true; output: string } | { found: false; reason: 'not_found' | 'failed'; error: string };

const VERSION_ARGS: Record<ToolName, string[]> = {
  kind: ['version'],
  kubectl: ['version', '--client'],
  helm: ['version', '--short'],
};

const VERSION_TIMEOUT_MS = 15_000;

export async function probeTool(run: CommandRunner, tool: ToolName): Promise<ToolProbe> {
  try {
    const { stdout, stderr } = await run(tool, VERSION_ARGS[tool], { timeoutMs: VERSION_TIMEOUT_MS });
    return { found: true, output: `${stdout}\n${stderr}` };
  } catch (error) {
    const failure = error as Error & { code?: string };
    return { found: false, reason: failure.code === 'not_found' ? 'not_found' : 'failed', error: failure.message };
  }
}

/** The install command for the version the doctor asks for; `arch` is Node's (x64, arm64). */
export function installCommand(tool: ToolName, arch: string): string {
  const goArch = arch === 'arm64' ? 'arm64' : 'amd64';
  if (tool === 'kind') {
    return `curl -Lo /tmp/kind https://kind.sigs.k8s.io/dl/v0.27.0/kind-linux-${goArch} && chmod +x /tmp/kind && sudo mv /tmp/kind /usr/local/bin/kind`;
  }
  if (tool === 'kubectl') {
    return `curl -Lo /tmp/kubectl https://dl.k8s.io/release/v1.32.3/bin/linux/${goArch}/kubectl && sudo install -m 0755 /tmp/kubectl /usr/local/bin/kubectl`;
  }
  return 'curl -fsSL https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3 | bash';
}

export function checkTool(tool: ToolName, probe: ToolProbe, arch: string): HostCheck {
  const { minimum, source } = TOOL_MINIMA[tool];
  const install = installCommand(tool, arch);
  if (!probe.found) {
    const detail = probe.reason === 'not_found' ? `not on PATH (needed: v${minimum} or later)` : `\`${tool} ${VERSION_ARGS[tool].join(' ')}\` failed: ${probe.error}`;
    return problem(tool, tool, 'fail', detail, install);
  }
  const version = parseToolVersion(probe.output);
  if (!version) return problem(tool, tool, 'warn', `cannot read a version in: ${probe.output.trim().slice(0, 120)}`, install);
  const found = formatVersion(version);
  if (compareVersions(version, parseToolVersion(minimum)!) < 0) {
    return problem(tool, tool, 'fail', `${found} is older than v${minimum} (${source})`, install);
  }
  if (tool === 'helm' && version.major > HELM_TESTED_MAJOR) {
    return problem(tool, tool, 'warn', `${found}: AIOpsLab's CI runs Helm ${HELM_TESTED_MAJOR}; Helm ${version.major} is untested with its chart calls`, install);
  }
  return ok(tool, tool, `${found} (>= v${minimum})`);
}
