/**
 * Runs Debian's `docker-registry` (distribution 2.8) with a temp config: filesystem storage in a
 * temp dir, plain http on 127.0.0.1:<free port>, deletes enabled, no auth (so `podman login`
 * with any password succeeds: the registry answers `GET /v2/` with 200).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ecr/moto-process.js';

export interface RegistryStandIn {
  /** 127.0.0.1:PORT — the host part of image references. */
  host: string;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
}

function config(port: number, root: string): string {
  return [
    'version: 0.1',
    'log: { level: warn, accesslog: { disabled: true } }',
    'storage:',
    `  filesystem: { rootdirectory: ${JSON.stringify(root)} }`,
    '  delete: { enabled: true }',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
}

/** Starts the registry and waits until `GET /v2/` answers 200 (rejects after 20 s with stderr). */
export async function startRegistry(): Promise<RegistryStandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'pf-registry-'));
  const port = await freePort();
  await writeFile(join(dir, 'config.yml'), config(port, join(dir, 'data')));
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let failed: Error | undefined;
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.once('error', (err) => {
    failed = err;
  });
  child.once('exit', (code) => {
    failed ??= new Error(`docker-registry exited ${code}: ${stderr}`);
  });
  const host = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (failed) {
      await stop();
      throw failed;
    }
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${host}: ${stderr}`);
    }
    // A real binary is starting: poll it.
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, stop };
}
