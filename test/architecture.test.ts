/**
 * The house rules that keep the actions honest, checked over every production source file:
 * one importer of @actions/core, one caller of setFailed, no shell strings, no sandbox code in a
 * bundle, thin actions that import only packages/core; and, over every source and test file, no
 * relative import across a package boundary.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@preview-fleet/testkit/tools';

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory())
      return name === 'node_modules' || name === 'dist' || name === 'test' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const actionDirs = existsSync(join(repoRoot, 'actions'))
  ? readdirSync(join(repoRoot, 'actions')).map((n) => join(repoRoot, 'actions', n, 'src'))
  : [];
const production = [join(repoRoot, 'packages/core/src'), join(repoRoot, 'src'), ...actionDirs].flatMap(sources);
const rel = (p: string): string => relative(repoRoot, p);

/** Every .ts/.mjs file under `dir`, tests and fixtures included (not node_modules, not dist). */
function allSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : allSources(p);
    return /\.(ts|mts|mjs)$/.test(p) ? [p] : [];
  });
}

/**
 * The package a repository path belongs to: packages/<name>, actions/<name>, the all-in-one action
 * (root src/ with its tests in test/root-action/), the root tests (test/), bench/ and scripts/.
 */
export function packageOf(path: string): string {
  const [top, name] = path.split('/');
  if (top === 'packages' || top === 'actions') return `${top}/${name}`;
  if (top === 'test' && name === 'root-action') return 'src';
  return top!;
}

/** Relative imports allowed across packages: the root tests check the repository's build scripts. */
const ALLOWED_CROSSINGS: Array<[from: string, to: string]> = [['test', 'scripts']];

/** `from './x.js'`, `import('../y.js')`, `export … from '…'`: every relative module specifier in `text`. */
export function relativeSpecifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]*)['"]/g)].map((m) => m[1]!);
}

/** Imports of `file` (repository-relative) that leave its package by a relative path. */
export function boundaryCrossings(file: string, text: string): string[] {
  const from = packageOf(file);
  return relativeSpecifiers(text).filter((spec) => {
    const to = packageOf(relative(repoRoot, resolve(repoRoot, dirname(file), spec)));
    return to !== from && !ALLOWED_CROSSINGS.some(([a, b]) => a === from && b === to);
  });
}

describe('architecture rules', () => {
  it('scans the core runtime and every action', () => {
    expect(production.map(rel)).toContain('packages/core/src/runtime/toolkit.ts');
  });

  it('only packages/core/src/runtime/toolkit.ts imports @actions/core', () => {
    const importers = production.filter((f) =>
      /from ['"]@actions\/core['"]|require\(['"]@actions\/core['"]\)/.test(readFileSync(f, 'utf8')),
    );
    expect(importers.map(rel)).toEqual(['packages/core/src/runtime/toolkit.ts']);
  });

  it('only runAction calls setFailed', () => {
    const callers = production.filter(
      (f) => /\bsetFailed\(/.test(readFileSync(f, 'utf8')) && !f.endsWith('runtime/toolkit.ts'),
    );
    expect(callers.map(rel)).toEqual(['packages/core/src/runtime/run-action.ts']);
  });

  it('runs no shell strings (argv arrays only)', () => {
    const offenders = production.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return (
        /\bshell:\s*true\b/.test(text) ||
        /\bexecSync\(|\bexec\(\s*[`'"]/.test(text) ||
        /from ['"]node:child_process['"][^;]*\bexec\b/.test(text)
      );
    });
    expect(offenders.map(rel)).toEqual([]);
  });

  it('actions import only packages/core (never the sandbox, never another action)', () => {
    for (const f of production.filter((p) => rel(p).startsWith('actions/') || rel(p).startsWith('src/'))) {
      const text = readFileSync(f, 'utf8');
      expect(text, rel(f)).not.toMatch(/packages\/sandbox|@preview-fleet\/sandbox/);
      expect(text, rel(f)).not.toMatch(/from ['"]\.\.\/\.\.\/(?!\.\.)/);
    }
    for (const f of production.filter((p) => rel(p).startsWith('packages/core/'))) {
      expect(readFileSync(f, 'utf8'), rel(f)).not.toMatch(/packages\/sandbox|@preview-fleet\/sandbox/);
    }
  });

  it('every action (and the all-in-one) can check its inputs alone, so the all-in-one action validates all steps before any acts', () => {
    const entries = [
      ...readdirSync(join(repoRoot, 'actions')).map((a) => join(repoRoot, 'actions', a, 'src', 'index.ts')),
      join(repoRoot, 'src', 'index.ts'),
    ].filter((f) => existsSync(f));
    expect(entries.length).toBeGreaterThanOrEqual(8);
    for (const f of entries) expect(readFileSync(f, 'utf8'), rel(f)).toMatch(/runAction\(main, \{ validate/);
  });

  it("only the CLI imports the GitLab adapter, so @gitbeaker stays out of the GitHub actions' bundles (issue 21)", () => {
    const importers = production.filter((f) =>
      /from '(@preview-fleet\/core\/forge\/gitlab|@gitbeaker\/)/.test(readFileSync(f, 'utf8')),
    );
    expect(importers.map(rel)).toEqual(['packages/core/src/forge/gitlab.ts']);
  });

  it('imports other packages by name only: no relative import crosses a package boundary', () => {
    const roots = ['packages', 'actions'].flatMap((top) =>
      readdirSync(join(repoRoot, top)).map((n) => join(repoRoot, top, n)),
    );
    const files = [...roots, join(repoRoot, 'src'), join(repoRoot, 'test'), join(repoRoot, 'bench')].flatMap(
      allSources,
    );
    expect(files.map(rel)).toContain('packages/testkit/src/story.ts');
    // this file's own examples of crossings are strings, not imports
    const crossings = files
      .filter((f) => rel(f) !== 'test/architecture.test.ts')
      .flatMap((f) => boundaryCrossings(rel(f), readFileSync(f, 'utf8')).map((spec) => `${rel(f)} → ${spec}`));
    expect(crossings).toEqual([]);
  });

  it('the boundary check catches what it is for', () => {
    expect(
      boundaryCrossings(
        'actions/teardown/test/fixture.ts',
        "import { startKube } from '../../../packages/sandbox/src/kube/index.js';",
      ),
    ).toHaveLength(1);
    expect(
      boundaryCrossings(
        'packages/sandbox/src/github/state.ts',
        "import type { Clock } from '../../../core/src/clock.js';",
      ),
    ).toHaveLength(1);
    expect(boundaryCrossings('bench/report.ts', "const { x } = await import('../test/naming/x.js');")).toHaveLength(1);
    expect(
      boundaryCrossings('actions/teardown/test/x.ts', "export { a } from '../src/main.js';\nimport b from './b.js';"),
    ).toEqual([]);
    expect(boundaryCrossings('test/root-action/route.test.ts', "import { route } from '../../src/route.js';")).toEqual(
      [],
    );
    expect(
      boundaryCrossings('test/docs/action-docs.test.ts', "import { docTargets } from '../../scripts/action-docs.mjs';"),
    ).toEqual([]);
  });
});
