/**
 * A throwaway real PostgreSQL (Debian's `postgresql` package, installed by
 * .ci/install-system.sh) on a loopback port, so the example chart's seed SQL runs against the
 * server it is written for. PostgreSQL refuses to run as root, so under root (CI) initdb and the
 * server run as `nobody` in a temp dir chowned to it; clients (psql) run as the caller.
 *
 * @example
 * const pg = await startPostgres({ database: 'app', username: 'app', password: 's3cret-pw' });
 * await pg.psql(['-c', 'select 1']);   // PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE set
 * await pg.stop();
 */
import { execFile, spawn } from 'node:child_process';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../ecr/moto-process.js';

const run = promisify(execFile);

/** The newest /usr/lib/postgresql/<major>/bin with postgres, initdb and psql; or why there is none. */
export function findPostgres(root = '/usr/lib/postgresql'): { binDir?: string; version?: string; reason?: string } {
  const majors = existsSync(root)
    ? readdirSyncSafe(root)
        .filter((m) => /^\d+$/.test(m))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const m of majors) {
    const bin = join(root, m, 'bin');
    if (['postgres', 'initdb', 'psql', 'pg_isready'].every((b) => existsSync(join(bin, b))))
      return { binDir: bin, version: m };
  }
  return {
    reason: `PostgreSQL server binaries not found under ${root} (Debian's postgresql package: run .ci/install-system.sh as root)`,
  };
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** uid/gid of `nobody` from /etc/passwd when we are root (PostgreSQL will not run as root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  if (!line) throw new Error('Running as root and /etc/passwd has no nobody user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface PostgresOptions {
  database: string;
  username: string;
  password: string;
}

export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  version: string;
  binDir: string;
  /** libpq environment for clients: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE. */
  env: Record<string, string>;
  /** Runs psql (this server's) with `args`; extra env merged over `env`. */
  psql(args: string[], extraEnv?: Record<string, string>): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** initdb (scram-sha-256 over TCP), start on 127.0.0.1:<free port>, create the database. */
export async function startPostgres(o: PostgresOptions): Promise<PostgresServer> {
  const found = findPostgres();
  if (!found.binDir) throw new Error(found.reason);
  const bin = (b: string): string => join(found.binDir!, b);
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'pf-postgres-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  await mkdir(sockets);
  await writeFile(join(dir, 'pw'), o.password, { mode: 0o600 });
  if (user) for (const p of [dir, sockets, join(dir, 'pw')]) await chown(p, user.uid, user.gid);
  const asServer = user ? { uid: user.uid, gid: user.gid } : {};
  const cleanEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  await run(
    bin('initdb'),
    [
      '-D',
      data,
      '-U',
      o.username,
      `--pwfile=${join(dir, 'pw')}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ],
    { ...asServer, env: cleanEnv, cwd: dir },
  );
  const port = await freePort();
  // A throwaway server: durability off, so the measured time is the seed's, not the disk's.
  const child = spawn(
    bin('postgres'),
    [
      '-D',
      data,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-k',
      sockets,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    { ...asServer, env: cleanEnv, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let exited: string | undefined;
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    exited = `postgres exited (${code ?? signal}): ${stderr}`;
  });
  const env = {
    PGHOST: '127.0.0.1',
    PGPORT: String(port),
    PGUSER: o.username,
    PGPASSWORD: o.password,
    PGDATABASE: o.database,
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGINT'); // fast shutdown
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Real waiting on a real server: pg_isready until it accepts connections (20 s at most).
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(exited);
    }
    const ok = await run(bin('pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-t', '1']).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not accept connections within 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const psql = (args: string[], extraEnv: Record<string, string> = {}) =>
    run(bin('psql'), args, { env: { ...cleanEnv, ...env, ...extraEnv }, maxBuffer: 16 * 1024 * 1024 });
  try {
    await psql([
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `CREATE DATABASE "${o.database.replace(/"/g, '""')}"`,
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: '127.0.0.1', port, version: found.version!, binDir: found.binDir, env, psql, stop };
}
