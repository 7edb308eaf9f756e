import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './support/compose';

/**
 * deploy/worker/entrypoint.sh with stand-ins on PATH for `id`, `hostname`, `docker` and
 * `setpriv` (each records its calls), so the root path is exercised without being root and
 * without a Docker engine. A real unix socket stands for the Docker socket.
 */
const ENTRYPOINT = path.join(ROOT, 'deploy/worker/entrypoint.sh');
let dir: string;
let socketPath: string;
let socketServer: net.Server;

function shim(name: string, body: string) {
  fs.writeFileSync(path.join(dir, 'bin', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-entrypoint-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  socketPath = path.join(dir, 'docker.sock');
  socketServer = net.createServer();
  await new Promise<void>((resolve) => socketServer.listen(socketPath, resolve));
  shim('id', 'echo "${FAKE_UID:-0}"');
  shim('hostname', 'echo 3f2a9c1d7e4b');
  shim('setpriv', 'echo "$*" >> "$STATE/setpriv.log"\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"');
  shim(
    'docker',
    [
      'echo "$*" >> "$STATE/docker.log"',
      'case "$1 $2" in',
      '  "network inspect") [ -f "$STATE/network" ] ;;',
      '  "network create") case "$*" in *--ipv6*) [ -z "$FAKE_NO_IPV6" ] || exit 1 ;; esac; touch "$STATE/network" ;;',
      '  "network connect") [ -z "$FAKE_CONNECT_FAILS" ] || exit 1; touch "$STATE/connected" ;;',
      '  "inspect -f") if [ -f "$STATE/connected" ]; then echo \'{"aiopslab_default":{},"kind":{}}\'; else echo \'{"aiopslab_default":{}}\'; fi ;;',
      '  *) exit 3 ;;',
      'esac',
    ].join('\n'),
  );
});

afterAll(async () => {
  await new Promise((resolve) => socketServer.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

function runEntrypoint(env: Record<string, string>, state: { network?: boolean; connected?: boolean } = {}) {
  const stateDir = fs.mkdtempSync(path.join(dir, 'state-'));
  if (state.network) fs.writeFileSync(path.join(stateDir, 'network'), '');
  if (state.connected) fs.writeFileSync(path.join(stateDir, 'connected'), '');
  const result = spawnSync('sh', [ENTRYPOINT, 'sh', '-c', 'echo "ran: HOME=$HOME USER=$USER args=$0"', 'marker'], {
    encoding: 'utf8',
    env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, STATE: stateDir, DOCKER_HOST: `unix://${socketPath}`, HOME: '/root', ...env },
  });
  const read = (file: string) => (fs.existsSync(path.join(stateDir, file)) ? fs.readFileSync(path.join(stateDir, file), 'utf8').trim().split('\n') : []);
  return { ...result, docker: read('docker.log'), setpriv: read('setpriv.log') };
}

describe('deploy/worker/entrypoint.sh', () => {
  const socketGid = () => fs.statSync(socketPath).gid;

  test('as root: creates the kind network with Kind\'s options, joins it, then runs the command as uid 10001 with the socket\'s group', () => {
    const result = runEntrypoint({ WORKER_JOIN_KIND_NETWORK: 'true' });
    expect(result.status).toBe(0);
    expect(result.docker).toEqual([
      'network inspect kind',
      'network create -d=bridge -o com.docker.network.bridge.enable_ip_masquerade=true -o com.docker.network.driver.mtu=1500 --ipv6 --subnet fc00:f853:ccd:e793::/64 kind',
      'inspect -f {{json .NetworkSettings.Networks}} 3f2a9c1d7e4b',
      'network connect kind 3f2a9c1d7e4b',
    ]);
    expect(result.setpriv).toEqual([`--reuid=10001 --regid=10001 --groups=10001,${socketGid()} -- sh -c echo "ran: HOME=$HOME USER=$USER args=$0" marker`]);
    expect(result.stdout.trim()).toBe('ran: HOME=/home/aiopslab USER=aiopslab args=marker');
  });

  test('falls back to an IPv4-only network where the engine has no IPv6, and skips joining when already joined', () => {
    const fallback = runEntrypoint({ WORKER_JOIN_KIND_NETWORK: 'true', FAKE_NO_IPV6: '1' });
    expect(fallback.status).toBe(0);
    expect(fallback.docker.filter((c) => c.startsWith('network create'))).toHaveLength(2);
    expect(fallback.docker.at(-1)).toBe('network connect kind 3f2a9c1d7e4b');

    const joined = runEntrypoint({ WORKER_JOIN_KIND_NETWORK: 'true' }, { network: true, connected: true });
    expect(joined.status).toBe(0);
    expect(joined.docker).toEqual(['network inspect kind', 'inspect -f {{json .NetworkSettings.Networks}} 3f2a9c1d7e4b']);
  });

  test('stops with a message, without running the command, when it cannot join the network', () => {
    const result = runEntrypoint({ WORKER_JOIN_KIND_NETWORK: 'true', FAKE_CONNECT_FAILS: '1' }, { network: true });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('cannot connect container 3f2a9c1d7e4b to Docker network kind');
    expect(result.stdout).not.toContain('ran:');
  });

  test('without WORKER_JOIN_KIND_NETWORK it leaves Docker alone; WORKER_RUN_AS_ROOT keeps root', () => {
    const plain = runEntrypoint({});
    expect(plain.docker).toEqual([]);
    expect(plain.setpriv).toHaveLength(1);
    const root = runEntrypoint({ WORKER_RUN_AS_ROOT: 'true' });
    expect(root.setpriv).toEqual([]);
    expect(root.stdout.trim()).toBe('ran: HOME=/root USER= args=marker');
  });

  test('started unprivileged (k8s runAsUser), it only runs the command', () => {
    const result = runEntrypoint({ FAKE_UID: '10001', WORKER_JOIN_KIND_NETWORK: 'true' });
    expect(result.status).toBe(0);
    expect(result.docker).toEqual([]);
    expect(result.setpriv).toEqual([]);
    expect(result.stdout.trim()).toBe('ran: HOME=/root USER= args=marker');
  });
});
