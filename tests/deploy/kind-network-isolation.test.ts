import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCompose } from './support/compose';
import * as engineApi from '../../services/worker/test/fixtures/cluster-standins/standin-engine';
import type { StandinEngine } from '../../services/worker/test/fixtures/cluster-standins/standin-engine';
import { realDockerCli } from '../../services/worker/test/fixtures/cluster-standins/standin-world';

/**
 * On the REAL Docker engine: the networks as docker-compose.yml and kind make them, with busybox
 * listeners standing for postgres (5432), rabbitmq (5672, 15672) and the api (8001, published as
 * compose publishes it), a worker on both networks (its entrypoint joins the kind network), and a
 * Kind node as the kind stand-in starts it. The node — where agents' shell commands run — tries
 * every address and port, by name and by exact IP; a listener on the kind network is the control
 * that the probe works. Every container and network is this file's own (label and name carry its id).
 */
const id = randomBytes(3).toString('hex');
const configDir = mkdtempSync(path.join(tmpdir(), 'isolation-docker-'));
const engine: StandinEngine = { cli: realDockerCli(), world: `isolation-${id}`, network: `kind-${id}`, image: engineApi.DEFAULT_NODE_IMAGE, dockerConfig: configDir, dockerHost: process.env.DOCKER_HOST };
/** Compose's default network of project aiopslab: where postgres, rabbitmq, api, history live. */
const controlNetwork = `aiopslab-${id}_default`;
const node = `worker-probe-${id}-kind-control-plane`;
const docker = (...args: string[]) => engineApi.docker(engine, args).trim();
const label = ['--label', `${engineApi.WORLD_LABEL}=${engine.world}`];

/** A busybox container listening on `ports` (each connection is accepted and closed). */
function listener(name: string, network: string, alias: string, ports: number[], publish: string[] = []): void {
  const script = ports.map((port) => `nc -ll -p ${port} -e /bin/true &`).join(' ') + ' wait';
  docker('run', '--detach', '--name', name, ...label, '--network', network, '--network-alias', alias, ...publish.flatMap((p) => ['--publish', p]), engine.image, 'sh', '-c', script);
}

function ipOn(container: string, network: string): string {
  return docker('inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container);
}

/** Tries every target from the Kind node at once; true = a TCP connection was accepted. */
function probeFromNode(targets: { host: string; port: number }[]): Map<string, boolean> {
  const script = targets.map(({ host, port }) => `(nc -w 3 ${host} ${port} </dev/null >/dev/null 2>&1; echo "${host}:${port} $?") &`).join(' ') + ' wait';
  const out = docker('exec', node, 'sh', '-c', script);
  return new Map(out.split('\n').map((line) => line.split(' ')).map(([target, code]) => [target, code === '0']));
}

const compose = loadCompose();
const apiPort = (compose.services.api.ports as string[])[0];

beforeAll(() => {
  docker('network', 'create', ...label, controlNetwork);
  engineApi.ensureNetwork(engine); // as kind creates its network
  listener(`${id}-postgres`, controlNetwork, 'postgres', [5432]);
  listener(`${id}-rabbitmq`, controlNetwork, 'rabbitmq', [5672, 15672], ['127.0.0.1::15672']);
  // compose's api port binding, with a free host port: "<API_BIND>:<API_PORT>:8001"
  listener(`${id}-api`, controlNetwork, 'api', [8001], [`${apiPort.split(':')[0]}::8001`]);
  listener(`${id}-worker`, controlNetwork, 'worker', [8002]);
  docker('network', 'connect', engine.network, `${id}-worker`); // deploy/worker/entrypoint.sh
  listener(`${id}-apiserver`, engine.network, 'apiserver', [6443]);
  engineApi.createNode(engine, `worker-probe-${id}-kind`, { name: node, role: 'control-plane', image: 'kindest/node:v1.32.1' });
});

afterAll(() => {
  engineApi.removeWorld(engine); // containers, then both networks (labelled)
  rmSync(configDir, { recursive: true, force: true });
});

describe('a Kind node cannot reach the control plane (real Docker engine)', () => {
  test('compose binds the api and the management UI to loopback (the layout this test rebuilds)', () => {
    expect(apiPort).toBe('127.0.0.1:8001:8001');
    expect(compose.services.rabbitmq.ports).toEqual(['127.0.0.1:15672:15672']);
  });

  test('postgres, rabbitmq (AMQP, management) and the api are unreachable by name, by IP and through the host', () => {
    const gateway = docker('network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', engine.network);
    const hostPort = (container: string, port: number) => Number(docker('port', container, `${port}/tcp`).split('\n')[0].split(':').pop());
    const targets = [
      ...[['postgres', 5432], ['rabbitmq', 5672], ['rabbitmq', 15672], ['api', 8001]].flatMap(([service, port]) => [
        { host: service as string, port: port as number },
        { host: ipOn(`${id}-${service}`, controlNetwork), port: port as number },
      ]),
      // the ports compose publishes (on 127.0.0.1), tried through the node's gateway: the host
      { host: gateway, port: hostPort(`${id}-api`, 8001) },
      { host: gateway, port: hostPort(`${id}-rabbitmq`, 15672) },
      // the worker's own address on the control network does not route there either
      { host: ipOn(`${id}-worker`, controlNetwork), port: 8002 },
    ];

    const reached = probeFromNode(targets);

    expect(reached.size).toBe(targets.length);
    expect([...reached].filter(([, ok]) => ok).map(([target]) => target)).toEqual([]);
  });

  test('positive control: the same probe reaches a listener on the kind network, and the worker on its kind address', () => {
    const reached = probeFromNode([
      { host: 'apiserver', port: 6443 },
      { host: ipOn(`${id}-apiserver`, engine.network), port: 6443 },
      { host: ipOn(`${id}-worker`, engine.network), port: 8002 },
      { host: 'apiserver', port: 6444 },
    ]);
    expect(Object.fromEntries(reached)).toEqual({
      'apiserver:6443': true,
      [`${ipOn(`${id}-apiserver`, engine.network)}:6443`]: true,
      [`${ipOn(`${id}-worker`, engine.network)}:8002`]: true,
      'apiserver:6444': false,
    });
  });

  test('a port published on every interface WOULD be reachable through the gateway: why the api binds to loopback', () => {
    const gateway = docker('network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', engine.network);
    // Published on the kind bridge's own address (one of "every interface"), not the machine's others.
    listener(`${id}-api-wide`, controlNetwork, 'api-wide', [8001], [`${gateway}::8001`]);
    const port = Number(docker('port', `${id}-api-wide`, '8001/tcp').split(':').pop());
    expect(Object.fromEntries(probeFromNode([{ host: gateway, port }]))).toEqual({ [`${gateway}:${port}`]: true });
  });
});
