import Docker from 'dockerode';
import { PrerequisiteReport } from './cluster-prerequisites';

describe('the prerequisite report names the Docker socket it could not reach', () => {
  const missingOf = async (docker: Docker) => {
    const report = new PrerequisiteReport('kind');
    await report.requireDocker(docker);
    try {
      report.throwIfMissing();
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('a socket path given as a string', async () => {
    expect(await missingOf(new Docker({ socketPath: '/tmp/aiopslab-no-such-docker.sock' }))).toContain('the Docker Engine is not reachable at /tmp/aiopslab-no-such-docker.sock');
  });

  it("docker-modem's default, a function that picks the socket: its answer, not its source", async () => {
    const docker = new Docker({ socketPath: '/tmp/aiopslab-no-such-docker.sock' });
    // What docker-modem sets when neither socketPath nor DOCKER_HOST is given.
    const picked = ['', 'tmp', 'aiopslab-picked-docker.sock'].join('/');
    (docker.modem as unknown as { socketPath: () => Promise<string> }).socketPath = async () => picked;
    const message = await missingOf(docker);
    expect(message).toContain('not reachable at /tmp/aiopslab-picked-docker.sock (');
    expect(message).not.toContain('=>');
  });
});
