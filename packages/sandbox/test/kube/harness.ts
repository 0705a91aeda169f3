/**
 * Shared by the kube end-to-end tests: a stand-in with its controllers, fresh HOMEs (kubectl
 * caches discovery under HOME keyed by host:port; helm keeps its config there), and a runner
 * for the real binaries (argv only, no shell).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startKube, type KubeObject, type KubeStandIn } from '../../src/kube/index.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  kube: KubeStandIn;
  /** Fresh HOME for one test (removed by stop()). */
  home(): string;
  /** Runs a binary with the stand-in's kubeconfig and `home` as HOME. */
  run(bin: string, args: string[], home: string, stdin?: string): Promise<Run>;
  /** Starts a binary without waiting for it (for a helm process the test kills). */
  spawn(bin: string, args: string[], home: string): ChildProcess;
  /** Resolves when `check` holds, re-evaluated on every store change; rejects after `ms`. */
  until<T>(check: () => T | undefined | false, ms?: number): Promise<T>;
  get(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(group: string, resource: string, namespace?: string): KubeObject[];
  /** Reconcile failures the controllers hit (should stay empty). */
  controllerErrors(): string[];
  stop(): Promise<void>;
}

/** Starts the stand-in with small controller delays (the kube tests must fit in 2 minutes on 2 cores). */
export async function startCluster(delayMs = 100): Promise<Cluster> {
  const kube = await startKube({ controllerDelayMs: delayMs });
  const homes: string[] = [];
  const envFor = (home: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    ...kube.env,
    HOME: home,
    KUBECACHEDIR: join(home, '.kube', 'cache'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  });
  const typeOf = (group: string, resource: string) => {
    const t = kube.store.types.all().find((x) => x.group === group && x.resource === resource);
    if (!t) throw new Error(`no type ${resource}.${group}`);
    return t;
  };
  return {
    kube,
    home() {
      const h = mkdtempSync(join(tmpdir(), 'kube-e2e-home-'));
      homes.push(h);
      return h;
    },
    run(bin, args, home, stdin) {
      return new Promise((resolve) => {
        const child = execFile(bin, args, { env: envFor(home), maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
          resolve({
            code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0,
            stdout,
            stderr,
          });
        });
        if (stdin !== undefined) child.stdin?.end(stdin);
      });
    },
    spawn(bin, args, home) {
      return spawn(bin, args, { env: envFor(home), stdio: ['ignore', 'pipe', 'pipe'] });
    },
    until(check, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const first = check();
        if (first) return resolve(first);
        const timer = setTimeout(() => {
          off();
          reject(new Error(`condition not met within ${ms} ms`));
        }, ms);
        const off = kube.store.subscribe(() => {
          const v = check();
          if (v) {
            clearTimeout(timer);
            off();
            resolve(v);
          }
        });
      });
    },
    get: (group, resource, namespace, name) => kube.store.get(typeOf(group, resource), namespace, name),
    list: (group, resource, namespace) => kube.store.list(typeOf(group, resource), namespace),
    controllerErrors: () => [...(kube.controllers?.errors ?? [])],
    async stop() {
      await kube.stop();
      for (const h of homes) rmSync(h, { recursive: true, force: true });
    },
  };
}

/** The release helm stored in a Secret (`sh.helm.release.v1.<name>.v<n>`): base64 of gzipped JSON, inside Secret data. */
export function decodeRelease(secret: KubeObject): {
  name: string;
  version: number;
  info: { status: string; description: string };
  config: Record<string, unknown>;
  manifest: string;
} {
  const data = (secret.data as { release: string }).release;
  const inner = Buffer.from(data, 'base64').toString('utf8');
  return JSON.parse(gunzipSync(Buffer.from(inner, 'base64')).toString('utf8')) as never;
}

/** helm's release Secrets for `release` in `namespace`, by revision. */
export function releaseSecrets(cluster: Cluster, namespace: string, release: string): KubeObject[] {
  return cluster
    .list('', 'secrets', namespace)
    .filter((s) => s.metadata.labels?.owner === 'helm' && s.metadata.labels.name === release)
    .sort((a, b) => Number(a.metadata.labels?.version) - Number(b.metadata.labels?.version));
}

export function status(o: KubeObject | undefined): Record<string, any> {
  return (o?.status ?? {}) as Record<string, any>;
}

export function condition(o: KubeObject | undefined, type: string): Record<string, any> | undefined {
  return (status(o).conditions ?? []).find((c: { type: string }) => c.type === type);
}
