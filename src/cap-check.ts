/**
 * The all-in-one action's max-previews check (issue 19 §3), BEFORE the build and the Vault copy:
 * the PR's slot is claimed in the cluster's Lease (a full cap sleeps the least recently deployed
 * preview, or fails naming the holders), so a deploy that cannot run never builds or seeds
 * anything. deploy-helm claims again right before helm; holding the slot already, it only renews it.
 */
import { input, loadContext, log, parseRequestTimeout, requirePrNumber, systemClock } from '@preview-fleet/core';
import { CAP_POLICIES, claimPreviewSlot, kubectlTools } from '@preview-fleet/core/kube';

/** Claims the slot when max-previews is set; returns a line for the log, or throws the cap's error. */
export async function claimCapSlot(): Promise<string | undefined> {
  const max = input.integer('max-previews', { min: 0 });
  if (max === 0) return undefined;
  const ctx = loadContext(input.optional('pr-number') ?? '');
  const pr = requirePrNumber(ctx);
  const c = await claimPreviewSlot(
    kubectlTools({ requestTimeoutMs: parseRequestTimeout(input.string('request-timeout')) }),
    {
      repository: ctx.repository,
      pr,
      max,
      policy: input.enum('cap-policy', CAP_POLICIES),
      leaseNamespace: input.string('cap-lease-namespace'),
      now: () => systemClock.now(),
    },
  );
  const line =
    c.action === 'evict' && c.victim
      ? `max-previews ${max} reached: put PR #${c.victim.pr}'s preview to sleep (least recently deployed, ${c.victim.at}) to make room for PR #${pr}`
      : `max-previews ${max}: PR #${pr} ${c.action === 'hold' ? 'keeps its' : 'took a'} slot`;
  log.info(line);
  return line;
}
