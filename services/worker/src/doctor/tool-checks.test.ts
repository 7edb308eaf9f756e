import { CommandError, type CommandRunner } from '../clusters/command-runner';
import { checkTool, probeTool } from './tool-checks';

const found = (output: string) => ({ found: true as const, output });

describe('checkTool', () => {
  it('passes kind v0.27.0 and fails v0.20.0 with the pinned download', () => {
    expect(checkTool('kind', found('kind v0.27.0 go1.23.4 linux/amd64'), 'x64').status).toBe('ok');
    const old = checkTool('kind', found('kind v0.20.0 go1.20.4 linux/amd64'), 'x64');
    expect(old.status).toBe('fail');
    expect(old.detail).toContain('v0.20.0 is older than v0.27.0');
    expect(old.fix).toContain('https://kind.sigs.k8s.io/dl/v0.27.0/kind-linux-amd64');
  });

  it('downloads the arm64 build on arm64 hosts', () => {
    expect(checkTool('kubectl', { found: false, reason: 'not_found', error: 'kubectl is not on PATH' }, 'arm64').fix).toContain('/bin/linux/arm64/kubectl');
  });

  it('fails kubectl older than one minor below the v1.32 nodes', () => {
    expect(checkTool('kubectl', found('Client Version: v1.30.2'), 'x64').status).toBe('fail');
    expect(checkTool('kubectl', found('Client Version: v1.31.0'), 'x64').status).toBe('ok');
  });

  it('fails Helm 2, passes Helm 3, and warns on an untested Helm major', () => {
    expect(checkTool('helm', found('Client: v2.17.0+ga690bad'), 'x64').status).toBe('fail');
    expect(checkTool('helm', found('v3.17.3+ge4da497'), 'x64').status).toBe('ok');
    expect(checkTool('helm', found('v4.0.1+g12500dd'), 'x64').status).toBe('warn');
  });

  it('reports a tool that is not on PATH plainly, with the install command', () => {
    const check = checkTool('helm', { found: false, reason: 'not_found', error: 'helm is not on PATH' }, 'x64');
    expect(check).toMatchObject({ status: 'fail', detail: 'not on PATH (needed: v3.0.0 or later)' });
    expect(check.fix).toContain('get-helm-3');
  });

  it('warns when the output holds no version', () => {
    expect(checkTool('kind', found('usage: kind [command]'), 'x64').status).toBe('warn');
  });
});

describe('probeTool', () => {
  it('asks each tool for its version the way it answers without a cluster', async () => {
    const calls: string[][] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, ...args]);
      return { stdout: 'v1.0.0', stderr: '' };
    };
    await probeTool(run, 'kubectl');
    await probeTool(run, 'helm');
    expect(calls).toEqual([['kubectl', 'version', '--client'], ['helm', 'version', '--short']]);
  });

  it('tells a missing tool from one that failed', async () => {
    const missing: CommandRunner = async () => {
      throw new CommandError('kind version', 'not_found', null, '', 'kind is not on PATH');
    };
    const broken: CommandRunner = async () => {
      throw new CommandError('kind version', 'failed', 1, 'boom', 'kind version exited with 1: boom');
    };
    expect(await probeTool(missing, 'kind')).toMatchObject({ found: false, reason: 'not_found' });
    expect(await probeTool(broken, 'kind')).toMatchObject({ found: false, reason: 'failed' });
  });
});
