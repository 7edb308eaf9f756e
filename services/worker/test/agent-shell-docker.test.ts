import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { agentShellFor } from '../src/tasks/executors/agent-shell';
import { DEFAULT_CLUSTER_CONFIG } from '../src/clusters/cluster-config';
import { realDockerCli, StandinWorld } from './fixtures/cluster-standins/standin-world';

/**
 * The agent's shell on the REAL Docker engine, through the code the worker and the runner run:
 * the worker's agentShellFor() names the container, the runner's parse_agent_shell() and
 * install_agent_shell() take it, and upstream's Shell.docker_exec('kind-control-plane', …) call
 * runs `docker exec <cluster>-control-plane sh -c <command>` in the cluster's real node container.
 */
/** Debian's python3, by path: the world's PATH holds only the stand-ins (docker among them). */
const PYTHON = process.env.AIOPSLAB_PYTHON ?? '/usr/bin/python3';
const RUNNER_DIR = path.resolve(__dirname, '../runner');
const SECRET = 'sk-worker-secret-never-in-the-node';

const DRIVER = `
import json, sys
from aiopslab_runner.agent_shell import install_agent_shell, parse_agent_shell
spec, command = json.loads(sys.argv[1]), sys.argv[2]
class Shell:  # upstream's aiopslab.service.shell.Shell, as far as install_agent_shell touches it
    pass
install_agent_shell(Shell, parse_agent_shell(spec, "kind", None), __import__("os").environ)
print(json.dumps({"observation": Shell.docker_exec("kind-control-plane", command)}))
`;

let world: StandinWorld;
let cluster: string;

beforeAll(() => {
  world = new StandinWorld([], { engine: true });
  cluster = `worker-${world.workerId('shell')}-kind`;
  world.addCluster(cluster);
});

afterAll(() => world.cleanup());

function execShell(command: string): string {
  const spec = agentShellFor({ provider: 'kind', name: cluster, kubeconfig: null, context: null }, DEFAULT_CLUSTER_CONFIG);
  // The runner hands the agent shell an allowlisted environment (no STANDIN_* variables): the
  // real docker CLI is on its PATH here, not the recording stand-in.
  const env = { PATH: `${path.dirname(realDockerCli())}:/usr/bin:/bin`, HOME: world.home, PYTHONPATH: RUNNER_DIR, OPENAI_API_KEY: SECRET };
  const out = spawnSync(PYTHON, ['-c', DRIVER, JSON.stringify(spec), command], { env, encoding: 'utf8', timeout: 60_000 });
  expect(out.stderr).toBe('');
  return (JSON.parse(out.stdout) as { observation: string }).observation;
}

describe("agent shell in the cluster's own control-plane container (real engine)", () => {
  test('a command runs inside <cluster>-control-plane: its hostname, and a file docker exec then finds there', () => {
    const observation = execShell('cat /etc/hostname; echo "agent was here: $OPENAI_API_KEY" > /tmp/agent-proof');

    expect(observation.trim()).toBe(`${cluster}-control-plane`);
    expect(world.docker('exec', `${cluster}-control-plane`, 'cat', '/tmp/agent-proof')).toBe('agent was here: \n');
    // the worker's credential is neither expanded by a host shell (the line above) nor handed to the container
    expect(world.docker('exec', `${cluster}-control-plane`, 'env')).not.toContain(SECRET);
  });

  test("a failing command comes back as upstream's [ERROR] observation with the container's stderr", () => {
    expect(execShell('ls /no-such-dir')).toMatch(/^\[ERROR\] Docker command execution failed: .*no-such-dir/);
  });
});
