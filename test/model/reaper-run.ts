/** One scheduled reaper run in the model, through core's `reapOrphans`, and what the model learns from it. */
import { reapOrphans } from '@preview-fleet/core/lifecycle';
import { POLICY } from './names.js';
import type { Model, Real } from './model.js';
import type { World } from './world.js';

/** One reaper run on `repo` through core's `reapOrphans`; a line for the story. */
export async function reapOnce(r: Real, repo: string): Promise<string> {
  try {
    const out = await reapOrphans(r.reaperPorts(r.world, repo), {
      repository: repo,
      now: r.world.clock.now(),
      dryRun: false,
      ...POLICY,
    });
    const part = (what: string, prs: number[]) => (prs.length ? ` ${what} ${prs.map((n) => `#${n}`).join(',')}` : '');
    return (
      `${part('reaped', out.reaped)}${part('warned', out.warned)}${part('closed', out.closed)}${part('stale', out.staleMarked)}${out.failed ? ' (failed)' : ''}`.trim() ||
      'nothing to do'
    );
  } catch (err) {
    return `failed before acting: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** The reaper may close stale PRs: the model follows what GitHub now says. */
export function syncFromGitHub(m: Model, w: World): void {
  for (const p of m.prs) {
    if (w.issue(p.repo, p.pr)!.state === 'closed' && p.open) {
      p.open = false;
      p.live = undefined;
    }
  }
}
