/**
 * Starts Python moto's server (`moto_server`, or `python3 -m moto.server` when the shim is
 * missing) on a free 127.0.0.1 port and waits until it answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port (closed again before moto binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    // moto serves its own dashboard API at /moto-api/ (any status means it is listening).
    const res = await fetch(`${url}/moto-api/data.json`);
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function launch(port: number, useModule: boolean): ChildProcess {
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const [cmd, argv] = useModule ? ['python3', ['-m', 'moto.server', ...args]] : ['moto_server', args];
  return spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
}

/** Starts moto; rejects with its stderr tail when it exits or does not answer within 30 s. */
export async function startMotoProcess(): Promise<MotoProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child = launch(port, false);
  let stderr = '';
  let exited = false;
  const watch = (c: ChildProcess): void => {
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    c.once('exit', () => {
      exited = true;
    });
  };
  child.once('error', () => undefined);
  watch(child);
  const deadline = Date.now() + 30_000;
  let triedModule = false;
  while (!(await answers(url))) {
    if (exited) {
      if (triedModule) throw new Error(`moto_server exited: ${stderr}`);
      triedModule = true;
      exited = false;
      child = launch(port, true);
      watch(child);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${url}: ${stderr}`);
    }
    // A real binary is starting: poll it.
    await new Promise((r) => setTimeout(r, 100));
  }
  const running = child;
  return {
    url,
    child: running,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (running.exitCode !== null || running.signalCode !== null) return resolveStop();
        const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
        running.once('exit', () => {
          clearTimeout(timer);
          resolveStop();
        });
        running.kill('SIGTERM');
      }),
  };
}
