/**
 * Removal and inventory for teardown and the reaper. KV v2 deletes `<mount>/metadata/<p>` ("deletes
 * all versions and metadata", Vault KV v2 API) only when its `custom_metadata` carries our marks for
 * this repository and PR; KV v1 has no metadata, so there the allowed prefix is the only guard.
 */
import { fromVaultMetadata, isOwnedBy, type OwnershipMarks } from '../marks.js';
import type { RemovalResult } from '../removal.js';
import { errorText } from '../runtime/index.js';
import type { VaultRequestError } from './errors.js';
import { dataPath, isUnderPrefix, metadataPath, normalizePrefix, type KvVersion } from './paths.js';
import type { VaultSession } from './session.js';

export interface RemoveOptions {
  mount: string;
  kvVersion: KvVersion;
  path: string;
  owner: { repository: string; pr: number };
  allowedPrefix: string;
}

const isNotFound = (e: unknown): boolean => (e as VaultRequestError).status === 404;

/** Deletes one per-PR path if it is ours; 'already-gone' when absent; 'failed' (never throws) on errors. */
export async function removeVaultPath(session: VaultSession, o: RemoveOptions): Promise<RemovalResult> {
  const name = `${o.mount}/${o.path}`;
  const result = (status: RemovalResult['status'], reason?: string): RemovalResult => ({ kind: 'vault-path', name, status, ...(reason ? { reason } : {}) });
  if (!isUnderPrefix(o.path, o.allowedPrefix)) {
    return result('skipped-unmarked', `outside the allowed prefix "${normalizePrefix(o.allowedPrefix)}"`);
  }
  try {
    if (o.kvVersion === 1) {
      const p = dataPath(o.mount, 1, o.path);
      try {
        await session.call(`read of ${p}`, (c) => c.read(p));
      } catch (err) {
        if (isNotFound(err)) return result('already-gone');
        throw err;
      }
      await session.call(`delete of ${p}`, (c) => c.delete(p));
      return result('deleted');
    }
    const meta = metadataPath(o.mount, 2, o.path);
    let custom: Record<string, string> | null | undefined;
    try {
      const res = await session.call(`metadata read of ${meta}`, (c) => c.read(meta));
      custom = res?.data?.custom_metadata;
    } catch (err) {
      if (isNotFound(err)) return result('already-gone');
      throw err;
    }
    const marks: OwnershipMarks | undefined = fromVaultMetadata(custom);
    if (!isOwnedBy(marks, o.owner)) {
      const found = fromVaultMetadata(custom);
      return result('skipped-unmarked', found ? `marked for ${found.repository}#${found.pr}, not ${o.owner.repository}#${o.owner.pr}` : 'no preview-fleet marks in custom_metadata');
    }
    await session.call(`metadata delete of ${meta}`, (c) => c.delete(meta));
    return result('deleted');
  } catch (err) {
    return result('failed', errorText(err).split('\n')[0]);
  }
}

export interface ListMarkedOptions {
  mount: string;
  /** Folder to walk, e.g. `preview/`. */
  prefix: string;
  repository: string;
}

/**
 * Every KV v2 path under `prefix` whose custom_metadata carries our marks for `repository`
 * (recursive `GET <mount>/metadata/<folder>?list=true`, then one metadata read per leaf).
 * Paths without marks, or marked for another repository, are left out. A missing folder is [].
 */
export async function listMarkedPaths(session: VaultSession, o: ListMarkedOptions): Promise<Array<{ path: string; marks: OwnershipMarks }>> {
  const out: Array<{ path: string; marks: OwnershipMarks }> = [];
  const walk = async (folder: string): Promise<void> => {
    const listPath = metadataPath(o.mount, 2, folder);
    let keys: string[];
    try {
      const res = await session.call(`list of ${listPath}`, (c) => c.list(listPath));
      keys = (res?.data?.keys ?? []) as string[];
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for (const key of keys) {
      const child = `${folder}${key}`;
      if (key.endsWith('/')) { await walk(child); continue; }
      const meta = metadataPath(o.mount, 2, child);
      try {
        const res = await session.call(`metadata read of ${meta}`, (c) => c.read(meta));
        const marks = fromVaultMetadata(res?.data?.custom_metadata);
        if (marks && isOwnedBy(marks, { repository: o.repository })) out.push({ path: child, marks });
      } catch (err) {
        if (!isNotFound(err)) throw err; // deleted between list and read
      }
    }
  };
  await walk(normalizePrefix(o.prefix));
  return out;
}
