import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@preview-fleet/testkit/tools';
// @ts-expect-error -- a plain .mjs script shared with `npm run docs`; typed loosely here
import { docTargets } from '../../scripts/action-docs.mjs';

type Target = { dir: string; readme: string; actual: string; expected: string | undefined };

const actionDirs = existsSync(join(repoRoot, 'actions'))
  ? readdirSync(join(repoRoot, 'actions')).filter((n) => existsSync(join(repoRoot, 'actions', n, 'action.yml')))
  : [];

describe('action docs agree with action.yml', () => {
  const targets = docTargets() as Target[];
  it('every action has a README with generated input/output tables', () => {
    for (const name of actionDirs) {
      const t = targets.find((x) => x.dir === join(repoRoot, 'actions', name));
      expect(t, `actions/${name}/README.md is missing`).toBeDefined();
      expect(t!.expected, `actions/${name}/README.md lacks the inputs/outputs markers`).toBeDefined();
    }
  });
  it('no README disagrees with its action.yml (fix: npm run docs)', () => {
    const stale = targets.filter((t) => t.expected !== undefined && t.expected !== t.actual).map((t) => t.readme);
    expect(stale).toEqual([]);
  });
});
