/**
 * Renews a per-PR KV v2 path's expires-at on every deploy (seed-vault reuses the copy, so its
 * marks would otherwise keep the first run's expiry and the reaper would see an open, just-pushed
 * PR's secrets as expired). Only a path whose `custom_metadata` carries our marks for this
 * repository and PR is touched; expires-at only moves forward; created-at is kept.
 */
import { fromVaultMetadata, isOwnedBy, toVaultMetadata, type OwnershipMarks } from '../marks.js';
import { readCustomMetadata } from './ownership.js';
import { metadataPath } from './paths.js';
import type { VaultSession } from './session.js';

export interface RenewExpiryOptions {
  mount: string;
  path: string;
  /** This run's marks: their repository and PR decide ownership; expires-at and head-sha are renewed from them. */
  marks: OwnershipMarks;
}

/** 'renewed', 'current' (nothing to move), or 'not-ours' (absent, unmarked or another owner's: left as found). KV v2 only. */
export async function renewVaultExpiry(
  session: VaultSession,
  o: RenewExpiryOptions,
): Promise<'renewed' | 'current' | 'not-ours'> {
  const meta = metadataPath(o.mount, 2, o.path);
  const read = await readCustomMetadata(session, meta);
  if (!read) return 'not-ours';
  const { custom } = read;
  const current = fromVaultMetadata(custom);
  if (!current || !isOwnedBy(current, { repository: o.marks.repository, pr: o.marks.pr })) return 'not-ours';
  const next = o.marks.expiresAt;
  const later =
    next !== undefined && (current.expiresAt === undefined || !(Date.parse(current.expiresAt) >= Date.parse(next)));
  const sha = o.marks.headSha !== undefined && o.marks.headSha !== current.headSha;
  if (!later && !sha) return 'current';
  const marks = {
    ...current,
    expiresAt: later ? next : current.expiresAt,
    headSha: o.marks.headSha ?? current.headSha,
  };
  // Vault replaces custom_metadata as a whole on a metadata write: keep any keys that are not ours.
  await session.call(`custom_metadata write of ${meta}`, (c) =>
    c.write(meta, { custom_metadata: { ...(custom ?? {}), ...toVaultMetadata(marks) } }),
  );
  return 'renewed';
}
