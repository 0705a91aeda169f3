import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rollbackArgs, uninstallArgs, upgradeArgs } from '../../src/kube/index.js';
import { toolPaths } from '@preview-fleet/testkit/tools';

const upgrade = {
  release: 'app-pr-12',
  namespace: 'preview-pr-12',
  chart: './chart',
  valuesFiles: ['/a.yaml'],
  timeoutMs: 90_000,
  atomic: true,
  labels: { 'preview-fleet.dev/pr': '12' },
};

/** The long flags `helm <command> --help` of one binary lists. */
function flagsOf(helm: string, command: string): Set<string> {
  const help = execFileSync(helm, [command, '--help'], { encoding: 'utf8' });
  return new Set([...help.matchAll(/--([a-z][a-z-]+)/g)].map((m) => m[1]!));
}

describe('helm flags against the real binaries', () => {
  it('every flag we build exists in the real helm of that major (helm --help)', () => {
    const tools = toolPaths();
    for (const [major, helm] of [
      [3, tools.v31.helm],
      [4, tools.v34.helm],
    ] as const) {
      const cases: Array<[string, string[]]> = [
        ['upgrade', upgradeArgs(major, { ...upgrade, chartVersion: '1', description: 'x' })],
        ['rollback', rollbackArgs(major, { release: 'r', namespace: 'n', revision: 1, timeoutMs: 1000 })],
        ['uninstall', uninstallArgs(major, { release: 'r', namespace: 'n', timeoutMs: 1000, wait: true })],
      ];
      for (const [command, args] of cases) {
        const known = flagsOf(helm, command);
        for (const a of args.filter((x) => x.startsWith('--')))
          expect([major, command, known.has(a.slice(2).split('=')[0]!)]).toEqual([major, command, true]);
      }
    }
  });
});
