import { spawn } from 'node:child_process';

/** Pulls one image; resolves with null on success, else the reason. */
export type ImagePuller = (image: string) => Promise<string | null>;

export interface PullDeps {
  /** Does the engine hold this image already? (image-preload.ts isInEngine) */
  isPresent: (image: string) => Promise<boolean>;
  pull: ImagePuller;
  out: (line: string) => void;
}

export interface PullSummary {
  pulled: string[];
  present: string[];
  /** `image (reason)`, in pull order. */
  failed: string[];
}

/**
 * Pulls the images the engine lacks, one at a time (each pull already fetches its layers in
 * parallel), and goes on after a failure: some listed images live in registries only upstream can
 * reach, and every image pulled is one a cluster need not fetch. Run again at any time: present
 * images are skipped.
 */
export async function pullMissingImages(images: readonly string[], deps: PullDeps): Promise<PullSummary> {
  const summary: PullSummary = { pulled: [], present: [], failed: [] };
  const missing: string[] = [];
  for (const image of images) (await deps.isPresent(image) ? summary.present : missing).push(image);
  for (const [index, image] of missing.entries()) {
    deps.out(`[${index + 1}/${missing.length}] docker pull ${image}`);
    const failure = await deps.pull(image);
    if (failure === null) summary.pulled.push(image);
    else summary.failed.push(`${image} (${failure})`);
  }
  return summary;
}

export class DockerCliMissingError extends Error {
  constructor(cause: Error) {
    super(`the docker CLI could not be started (${cause.message}): install it, or put it on PATH`);
    this.name = 'DockerCliMissingError';
  }
}

/**
 * `docker pull <image>` through the docker CLI, as an operator would run it: its progress goes to
 * our stdout, its errors to `stderr` and, last line, into the reason. Rejects only when the CLI
 * itself cannot start (then no pull can succeed).
 */
export function dockerCliPuller(stderr: (text: string) => void): ImagePuller {
  return (image) =>
    new Promise((resolve, reject) => {
      const child = spawn('docker', ['pull', image], { stdio: ['ignore', 'inherit', 'pipe'] });
      let tail = '';
      child.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        stderr(text);
        tail = (tail + text).slice(-2000);
      });
      child.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? reject(new DockerCliMissingError(error)) : resolve(error.message)));
      child.once('close', (code, signal) => {
        if (code === 0) return resolve(null);
        const lastLine = tail.trim().split('\n').pop()?.trim();
        resolve(lastLine || (signal ? `killed by ${signal}` : `exit ${code}`));
      });
    });
}
