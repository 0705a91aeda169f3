/**
 * BENCHMARKS.md is assembled from one section per benchmark, each between
 * `<!-- bench:NAME -->` markers, so benchmarks can be re-run one at a time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@preview-fleet/testkit/tools';

const FILE = join(repoRoot, 'BENCHMARKS.md');
const HEADER = `# Benchmarks

Produced by \`npm run bench\` (or \`npm run bench -- <name>\`) on the project's 2-core machine.
Each section states what was measured, the goal from its issue, and the figures of one run.
Ratios compare things measured in the same run; absolute times vary with the machine.
`;

export function writeSection(name: string, markdown: string): void {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n\n_Measured ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, ${process.platform}/${process.arch}._\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
