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
    /** Write the control plane's address on the kind network instead of a host port. */
    private readonly internal = false,
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
    const args = ['export', 'kubeconfig', '--name', this.clusterName, '--kubeconfig', this.kubeconfig];
    if (this.internal) args.push('--internal');
    await this.run('kind', args, { timeoutMs: QUICK_MS, env: this.env });
  }

  /** After `create`: a worker in a container needs the internal address rewritten into its kubeconfig. */
  async finishKubeconfig(): Promise<void> {
    if (this.internal) await this.exportKubeconfig();
  }
}
