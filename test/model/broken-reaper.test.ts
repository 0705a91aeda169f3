/**
 * The model must catch a reaper that breaks "don't know deletes nothing": a variant whose
 * inventories answer "nothing" when they fail (the open-PR list as empty, a PR read as missing,
 * a resource listing as empty). Built by wrapping the ports in this test — core is not edited.
 * fast-check must find a counterexample, and its story must name the live preview destroyed.
 */
import { describe, expect, it } from 'vitest';
import type { ReaperPorts } from '@preview-fleet/core/lifecycle';
import { checkModel, describeFailure } from './run-model.js';
import type { World } from './world.js';
import { worldReaperPorts } from './world-ports.js';

/** Every listing and PR read that fails answers "nothing there" instead of throwing. */
function failedInventoryIsEmpty(w: World, repository: string): ReaperPorts {
  const ports = worldReaperPorts(w, repository);
  const empty =
    <T>(call: () => Promise<T>, nothing: T) =>
    () =>
      call().catch(() => nothing);
  return {
    ...ports,
    listOpenPullRequests: empty(() => ports.listOpenPullRequests(), []),
    getPullRequest: (pr) => ports.getPullRequest(pr).catch(() => undefined),
    listNamespaces: empty(() => ports.listNamespaces!(), []),
    listReleases: empty(() => ports.listReleases!(), new Map<string, string[]>()),
    listRepositories: empty(() => ports.listRepositories!(), []),
    listVaultPaths: empty(() => ports.listVaultPaths!(), []),
    listEnvironments: empty(() => ports.listEnvironments!(), []),
  };
}

describe('a reaper that treats a failed inventory as empty', () => {
  it('is caught by the model: the counterexample destroys a live preview', async () => {
    const failure = await checkModel({
      numRuns: 20_000,
      seed: Number(process.env.FC_SEED ?? 17),
      reaperPorts: failedInventoryIsEmpty,
    });
    expect(failure, 'the model found no counterexample against the broken reaper').toBeDefined();
    const { story, error } = failure!;
    // The shrunk story: a live preview, a failed read, the reaper destroying what it could not see.
    expect(error).toMatch(/live preview of acme\/(web|api) PR #\d+ .*lost /);
    expect(story).toMatch(/fault: (next )?(github|kube|vault|ecr)/);
    expect(story).toMatch(/reaper on acme\/(web|api): reaped #\d+/);
    const pr = /live preview of (acme\/\w+) PR #(\d+)/.exec(error)!;
    expect(story).toContain(`reaper on ${pr[1]}: reaped #${pr[2]}`);
    console.log(describeFailure(failure!));
  }, 300_000);
});
