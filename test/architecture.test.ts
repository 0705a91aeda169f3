/**
 * The house rules that keep the actions honest, checked over every production source file:
 * one importer of @actions/core, one caller of setFailed, no shell strings, no sandbox code in a
 * bundle, thin actions that import only packages/core.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../packages/sandbox/src/tools.js';

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'dist' || name === 'test' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const actionDirs = existsSync(join(repoRoot, 'actions')) ? readdirSync(join(repoRoot, 'actions')).map((n) => join(repoRoot, 'actions', n, 'src')) : [];
const production = [join(repoRoot, 'packages/core/src'), join(repoRoot, 'src'), ...actionDirs].flatMap(sources);
const rel = (p: string): string => relative(repoRoot, p);

describe('architecture rules', () => {
  it('scans the core runtime and every action', () => {
    expect(production.map(rel)).toContain('packages/core/src/runtime/toolkit.ts');
  });

  it('only packages/core/src/runtime/toolkit.ts imports @actions/core', () => {
    const importers = production.filter((f) => /from ['"]@actions\/core['"]|require\(['"]@actions\/core['"]\)/.test(readFileSync(f, 'utf8')));
    expect(importers.map(rel)).toEqual(['packages/core/src/runtime/toolkit.ts']);
  });

  it('only runAction calls setFailed', () => {
    const callers = production.filter((f) => /\bsetFailed\(/.test(readFileSync(f, 'utf8')) && !f.endsWith('runtime/toolkit.ts'));
    expect(callers.map(rel)).toEqual(['packages/core/src/runtime/run-action.ts']);
  });

  it('runs no shell strings (argv arrays only)', () => {
    const offenders = production.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return /\bshell:\s*true\b/.test(text) || /\bexecSync\(|\bexec\(\s*[`'"]/.test(text) || /from ['"]node:child_process['"][^;]*\bexec\b/.test(text);
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
    const entries = [...readdirSync(join(repoRoot, 'actions')).map((a) => join(repoRoot, 'actions', a, 'src', 'index.ts')), join(repoRoot, 'src', 'index.ts')]
      .filter((f) => existsSync(f));
    expect(entries.length).toBeGreaterThanOrEqual(8);
    for (const f of entries) expect(readFileSync(f, 'utf8'), rel(f)).toMatch(/runAction\(main, \{ validate/);
  });
});
