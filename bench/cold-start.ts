/**
 * Cold start of a bundled action: process spawn → "inputs parsed", for the fixture action built
 * by the production pipeline, under Node 24 (what GitHub runs node24 actions with) and this
 * machine's Node for comparison. Median of 20 runs each. Goal (issue 2): ≤ 300 ms.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFixture } from '@preview-fleet/testkit/bundle-fixture';
import { node24Path } from '@preview-fleet/testkit/tools';
import { median, percentile, writeSection } from './report.js';

const RUNS = 20;

/** The machine's own node (npm scripts put node_modules/.bin, and so Node 24, first on PATH). */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir.includes('node_modules')) continue;
    if (existsSync(join(dir, 'node'))) return join(dir, 'node');
  }
  return process.execPath;
}

async function once(node: string, main: string, env: Record<string, string>): Promise<number> {
  const started = Date.now();
  const child = spawn(node, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('close', r));
  const m = /inputs-parsed-at=(\d+)/.exec(out);
  if (!m) throw new Error(`fixture did not report "inputs parsed":\n${out}`);
  return Number(m[1]) - started;
}

export async function run(): Promise<string> {
  const dir = bundleFixture('fixture-action');
  const tmp = mkdtempSync(join(tmpdir(), 'pf-bench-'));
  const files = ['event.json', 'out', 'state', 'summary'].map((f) => join(tmp, f));
  writeFileSync(files[0]!, JSON.stringify({ action: 'opened', pull_request: { number: 1 } }));
  for (const f of files.slice(1)) writeFileSync(f, '');
  const env = {
    PATH: process.env.PATH ?? '',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: files[0]!,
    GITHUB_OUTPUT: files[1]!,
    GITHUB_STATE: files[2]!,
    GITHUB_STEP_SUMMARY: files[3]!,
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_RUN_ID: '1',
    INPUT_GREETING: 'hi',
    INPUT_COUNT: '3',
    INPUT_WAIT: '90s',
    INPUT_PASSWORD: '',
    INPUT_LEAK: 'false',
    'INPUT_GITHUB-TOKEN': '',
  };
  const main = join(dir, 'dist', 'index.js');
  const rows: string[] = [];
  const result: Record<string, number> = {};
  const local = machineNode();
  const localVersion = execFileSync(local, ['--version'], { encoding: 'utf8' }).trim();
  const n24Version = execFileSync(node24Path(), ['--version'], { encoding: 'utf8' }).trim();
  for (const [label, node] of [
    [`Node ${n24Version} (node24 runtime)`, node24Path()],
    [`Node ${localVersion} (this machine)`, local],
  ] as const) {
    await once(node, main, env); // warm the page cache once
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once(node, main, env));
    result[label] = median(times);
    rows.push(`| ${label} | ${median(times)} ms | ${percentile(times, 90)} ms | ${Math.min(...times)} ms |`);
  }
  const n24 = Object.values(result)[0]!;
  const md = `## cold-start — bundled action, process start → inputs parsed

Fixture action (\`test/fixtures/fixture-action\`) bundled by \`scripts/build.mjs\`; ${RUNS} runs per runtime.
Goal: median ≤ 300 ms under Node 24 — **${n24 <= 300 ? 'met' : 'missed'}** (${n24} ms).

| runtime | median | p90 | min |
| --- | --- | --- | --- |
${rows.join('\n')}`;
  writeSection('cold-start', md);
  return md;
}
