import type { CommandRunner } from './command-runner';

const QUICK_MS = 60_000;
const DELETE_MS = 300_000;

/**
 * The `kind` commands of one cluster. Every call names the cluster and the per-worker kubeconfig
 * (`--kubeconfig`, and KUBECONFIG in the environment), so kind never reads or edits ~/.kube/config.
 */
export class KindCli {
  constructor(
    private readonly run: CommandRunner,
    private readonly clusterName: string,
    private readonly kubeconfig: string,
  ) {}

  private get env(): Record<string, string> {
    return { KUBECONFIG: this.kubeconfig };
  }

  async exists(): Promise<boolean> {
    const { stdout } = await this.run('kind', ['get', 'clusters'], { timeoutMs: QUICK_MS, env: this.env });
    return stdout.split('\n').some((line) => line.trim() === this.clusterName);
  }

  async create(options: { configFile: string; nodeImage?: string; waitSeconds: number; timeoutMs: number }): Promise<void> {
    const args = ['create', 'cluster', '--name', this.clusterName, '--config', options.configFile, '--kubeconfig', this.kubeconfig];
    if (options.nodeImage) args.push('--image', options.nodeImage);
    if (options.waitSeconds > 0) args.push('--wait', `${options.waitSeconds}s`);
    await this.run('kind', args, { timeoutMs: options.timeoutMs, env: this.env });
  }

  async delete(): Promise<void> {
    await this.run('kind', ['delete', 'cluster', '--name', this.clusterName, '--kubeconfig', this.kubeconfig], { timeoutMs: DELETE_MS, env: this.env });
  }

  /** (Re)writes the per-worker kubeconfig of an existing cluster, e.g. after a worker restart. */
  async exportKubeconfig(): Promise<void> {
    await this.run('kind', ['export', 'kubeconfig', '--name', this.clusterName, '--kubeconfig', this.kubeconfig], { timeoutMs: QUICK_MS, env: this.env });
  }
}
