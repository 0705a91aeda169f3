/**
 * The example chart's seed Job, run for real: helm renders the chart, a throwaway PostgreSQL
 * (Debian's postgresql, on a loopback port, as `nobody` under root) starts with the rendered
 * Secret's password, and the Job's own command (`psql … -f /seed/seed.sql`) runs with the Job's
 * env against the rendered seed SQL. The only substitutions: psql's path, the SQL file's path,
 * and PGHOST/PGPORT (the Service's DNS name does not resolve here).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { findPostgres, startPostgres, type PostgresServer } from '@preview-fleet/sandbox/postgres';

const run = promisify(execFile);
const chart = join(repoRoot, 'workflows-examples', 'charts', 'preview');
const work = mkdtempSync(join(tmpdir(), 'pf-seed-'));
const servers: PostgresServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(work, { recursive: true, force: true });
});

interface Rendered {
  sql: string;
  command: string[];
  env: Record<string, string>;
  password: string;
  database: string;
  username: string;
}

async function render(set: string[]): Promise<Rendered> {
  const { stdout } = await run(
    toolPaths().v34.helm,
    ['template', 'app-pr-7', chart, '--namespace', 'preview-pr-7', '--set', 'image.tag=x', ...set],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const docs = parseAllDocuments(stdout)
    .map((d) => d.toJS())
    .filter(Boolean) as any[];
  const job = docs.find((d) => d.kind === 'Job');
  const container = job.spec.template.spec.containers[0];
  const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name === 'app-pr-7-db');
  const env = Object.fromEntries(
    container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, String(e.value)]),
  );
  return {
    sql: docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'app-pr-7-seed').data['seed.sql'],
    command: container.command,
    env,
    password: secret.stringData.password,
    database: env.PGDATABASE!,
    username: env.PGUSER!,
  };
}

/** The Job's container command and env against the local server; returns its output and time. */
async function runSeedJob(r: Rendered, pg: PostgresServer): Promise<{ stdout: string; ms: number }> {
  const file = join(work, `seed-${Date.now()}.sql`);
  writeFileSync(file, r.sql);
  const argv = r.command.map((a) => (a === '/seed/seed.sql' ? file : a));
  expect(argv[0]).toBe('psql');
  const t0 = performance.now();
  const { stdout } = await run(join(pg.binDir, 'psql'), argv.slice(1), {
    env: { PATH: process.env.PATH ?? '', ...r.env, PGHOST: pg.host, PGPORT: String(pg.port), PGPASSWORD: r.password },
  });
  return { stdout, ms: performance.now() - t0 };
}

const count = async (pg: PostgresServer, sql: string): Promise<number> =>
  Number((await pg.psql(['-At', '-c', sql])).stdout.trim());

describe('the example chart seeds a real PostgreSQL', () => {
  it("PostgreSQL server binaries are installed (.ci/install-system.sh installs Debian's postgresql)", () => {
    const found = findPostgres();
    expect(found.reason, found.reason).toBeUndefined();
  });

  it('the default seed (50 users × 3 orders) loads synthetic rows, reports them, and a second run (post-upgrade) changes nothing', async () => {
    const r = await render([]);
    const pg = await startPostgres({ database: r.database, username: r.username, password: r.password });
    servers.push(pg);
    const first = await runSeedJob(r, pg);
    expect(first.stdout.trim()).toBe('preview-seed: users=50 orders=150');
    expect(await count(pg, "SELECT count(*) FROM users WHERE email NOT LIKE 'user%@example.test'")).toBe(0);
    expect(
      await count(pg, 'SELECT count(*) FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL'),
    ).toBe(0);
    const again = await runSeedJob(r, pg);
    expect(again.stdout.trim()).toBe('preview-seed: users=50 orders=150');
    console.info(
      `seed (PostgreSQL ${pg.version}): users=50 orders=150 in ${first.ms.toFixed(0)} ms; re-run ${again.ms.toFixed(0)} ms`,
    );
  });

  it('a larger seed (20 000 users × 5 orders) with its row counts and duration', async () => {
    const r = await render(['--set', 'seed.users=20000', '--set', 'seed.ordersPerUser=5']);
    const pg = await startPostgres({ database: r.database, username: r.username, password: r.password });
    servers.push(pg);
    const { stdout, ms } = await runSeedJob(r, pg);
    expect(stdout.trim()).toBe('preview-seed: users=20000 orders=100000');
    expect(await count(pg, 'SELECT count(DISTINCT status) FROM orders')).toBe(3);
    console.info(`seed (PostgreSQL ${pg.version}): users=20000 orders=100000 in ${ms.toFixed(0)} ms`);
  });

  it('a wrong password is refused by the server (scram-sha-256 over TCP, as in the cluster)', async () => {
    const r = await render([]);
    const pg = servers[0]!;
    const err = await runSeedJob({ ...r, password: 'not-the-password' }, pg).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain('password authentication failed');
  });
});
