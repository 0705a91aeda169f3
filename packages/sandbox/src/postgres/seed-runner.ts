/**
 * The Kubernetes stand-in's runner for `psql` Job pods (the example chart's seed Job): the
 * container's own command, env and mounted files, run with this machine's psql against a real
 * throwaway PostgreSQL standing in for the database Service the Job names in PGHOST.
 *
 * Modelled: the Service's DNS name (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc[.cluster.local]`)
 * resolves only when that Service exists in the pod's namespace, else psql's own "could not
 * translate host name" and exit 2; the server behind it is started the first time a Job names it,
 * with the Job's PGDATABASE / PGUSER / PGPASSWORD (what the chart's StatefulSet gets from the same
 * Secret), and kept for later Jobs (post-upgrade runs see the rows of the first). Files mounted
 * from ConfigMaps and Secrets are written to a temp dir and argv paths under a mountPath point
 * there. Not modelled: the image (psql is this machine's), resources, restarts inside the pod.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PodRunner, PodRunResult, RunnablePod } from '../kube/controllers/pod-runs.js';
import { startPostgres, type PostgresServer } from './index.js';

/** True for a pod whose container runs psql (command, else args, starts with it). */
function runsPsql(pod: RunnablePod): boolean {
  const argv = pod.container.command.length > 0 ? pod.container.command : pod.container.args;
  return /(^|\/)psql$/.test(argv[0] ?? '');
}

/** `<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.cluster.local` → the Service's name when it lives in `ns`. */
function serviceOf(host: string, pod: RunnablePod): string | undefined {
  const [svc, ns = pod.namespace, ...rest] = host.split('.');
  const suffix = rest.join('.');
  if (ns !== pod.namespace || !['', 'svc', 'svc.cluster.local'].includes(suffix)) return undefined;
  return pod.services.includes(svc!) ? svc : undefined;
}

/** A runner for `startKube({ podRunners: [postgresSeedRunner()] })`; its servers stop with the stand-in. */
export function postgresSeedRunner(): PodRunner & { servers: ReadonlyMap<string, PostgresServer> } {
  const servers = new Map<string, Promise<PostgresServer>>();
  const started = new Map<string, PostgresServer>();

  const serverFor = (key: string, pod: RunnablePod): Promise<PostgresServer> => {
    let s = servers.get(key);
    if (!s) {
      const username = pod.env.PGUSER ?? 'postgres';
      s = startPostgres({ username, database: pod.env.PGDATABASE ?? username, password: pod.env.PGPASSWORD ?? '' });
      s.then(
        (pg) => started.set(key, pg),
        () => servers.delete(key),
      );
      servers.set(key, s);
    }
    return s;
  };

  async function run(pod: RunnablePod): Promise<PodRunResult> {
    const host = pod.env.PGHOST ?? '';
    const svc = serviceOf(host, pod);
    if (!svc)
      return {
        exitCode: 2,
        log: `psql: error: could not translate host name "${host}" to address: Name or service not known\n`,
      };
    const pg = await serverFor(`${pod.namespace}/${svc}`, pod);
    const dir = await mkdtemp(join(tmpdir(), 'pf-pod-'));
    try {
      const rewrite: Array<[string, string]> = [];
      for (const [mountPath, files] of Object.entries(pod.mounts)) {
        const local = join(dir, String(rewrite.length));
        await mkdir(local);
        for (const [file, content] of Object.entries(files)) await writeFile(join(local, file), content);
        rewrite.push([mountPath.replace(/\/+$/, ''), local]);
      }
      const local = (a: string): string => {
        const m = rewrite.find(([p]) => a === p || a.startsWith(`${p}/`));
        return m ? m[1] + a.slice(m[0].length) : a;
      };
      const argv = [...pod.container.command, ...pod.container.args].map(local);
      const r = await spawnLogged(join(pg.binDir, 'psql'), argv.slice(1), {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        ...pod.env,
        PGHOST: pg.host,
        PGPORT: String(pg.port),
      });
      // The log names files as the container saw them (/seed/seed.sql), not where they were written here.
      return { ...r, log: rewrite.reduce((log, [mountPath, dir]) => log.split(dir).join(mountPath), r.log) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    servers: started,
    matches: runsPsql,
    run,
    async stop() {
      const all = await Promise.allSettled([...servers.values()]);
      await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
      servers.clear();
      started.clear();
    },
  };
}

/** Runs `program`, stdout and stderr interleaved into one log as a container runtime records them. */
function spawnLogged(program: string, args: string[], env: Record<string, string>): Promise<PodRunResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.once('error', (err) => resolve({ exitCode: 128, log: `${log}${err.message}\n` }));
    child.once('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 137 : 1), log }));
  });
}
