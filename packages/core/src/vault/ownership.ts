/**
 * Whether an existing per-PR path is ours to reuse. A Vault mount is shared by every repository
 * (and every PR) that uses it, and the default target `preview/{{service}}-{{number}}` has no
 * repository in it, so an existing path is reused only when its marks name this repository, this
 * PR and (when both say) this service; anything else is somebody else's and is left as found.
 */
import { isDeepStrictEqual } from 'node:util';
import { fromVaultMetadata, isOwnedBy, type OwnershipMarks } from '../marks.js';
import { ActionError } from '../runtime/index.js';
import type { VaultRequestError } from './errors.js';
import type { VaultSession } from './session.js';

/**
 * A KV v2 path's `custom_metadata` as read from `<mount>/metadata/<path>` (`meta`); undefined when
 * Vault answers 404 (no such path). Any other failure throws.
 */
export async function readCustomMetadata(
  session: VaultSession,
  meta: string,
): Promise<{ custom: Record<string, string> | null | undefined } | undefined> {
  try {
    const res = await session.call(`metadata read of ${meta}`, (c) => c.read(meta));
    return { custom: res?.data?.custom_metadata };
  } catch (err) {
    if ((err as VaultRequestError).status === 404) return undefined;
    throw err;
  }
}

/** True when `found` are marks for the same repository, PR and (when both carry one) service as `ours`. */
export function ownsPath(found: OwnershipMarks | undefined, ours: OwnershipMarks): boolean {
  if (!isOwnedBy(found, { repository: ours.repository, pr: ours.pr })) return false;
  return !found!.service || !ours.service || found!.service === ours.service;
}

/** What an existing path carries: our marks, foreign marks, other metadata or nothing at all. */
export function describeMarks(raw: Record<string, string> | null | undefined): string {
  const found = fromVaultMetadata(raw);
  if (found)
    return `it is marked for ${found.repository}#${found.pr}${found.service ? ` (service ${found.service})` : ''}`;
  return raw && Object.keys(raw).length > 0
    ? 'its metadata carries no preview-fleet marks'
    : 'it carries no preview-fleet marks';
}

/**
 * An unmarked path may be finished (marked) only when it is exactly what this run would have
 * written: the trace of our own create whose marks never landed (reply lost, run killed between
 * the two requests). Anything else may hold somebody's values and is not touched.
 */
export function isOurUnmarkedCopy(
  raw: Record<string, string> | null | undefined,
  existing: Record<string, unknown> | undefined,
  expected: Record<string, unknown>,
): boolean {
  if (raw && Object.keys(raw).length > 0) return false;
  return existing !== undefined && isDeepStrictEqual(existing, expected);
}

/** The error for a path that exists and is not this PR's; says how to put the repository in the template. */
export function notOursError(fullPath: string, what: string, ours: OwnershipMarks): ActionError {
  return new ActionError(
    `Vault path ${fullPath} already exists and is not this pull request's: ${what}, not ${ours.repository}#${ours.pr}${ours.service ? ` (service ${ours.service})` : ''}. seed-vault neither reuses nor changes it`,
    {
      hint:
        'Everything using this Vault mount shares its paths, and the default target-path "preview/{{service}}-{{number}}" has no repository in it. ' +
        'Add {{repo}} (and {{owner}}) to the template so repositories cannot collide, e.g. target-path: "preview/{{owner}}-{{repo}}/{{service}}-{{number}}" ' +
        '(same allowed-prefix "preview/"; give teardown the same target-path). If the path is a leftover nobody needs, delete it in Vault and re-run',
    },
  );
}
