/**
 * Removal and inventory for teardown and the reaper. KV v2 deletes `<mount>/metadata/<p>` ("deletes
 * all versions and metadata", Vault KV v2 API) only when its `custom_metadata` carries our marks for
 * this repository and PR. KV v1 has no metadata: a v1 path is ours only when its sibling marker
 * entry (`<p>.preview-fleet-marks`, written by seedSecrets before the data) carries those marks;
 * the data is deleted first, the marker last, so an interrupted removal is retried from the marker.
 */
import { fromVaultMetadata, isOwnedBy, type OwnershipMarks } from '../marks.js';
import type { RemovalResult } from '../removal.js';
import { errorText } from '../runtime/index.js';
import type { VaultRequestError } from './errors.js';
import { readCustomMetadata } from './ownership.js';
import {
  dataPath,
  isUnderPrefix,
  metadataPath,
  normalizePrefix,
  V1_MARKER_SUFFIX,
  v1MarkerPath,
  type KvVersion,
} from './paths.js';
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
  const result = (status: RemovalResult['status'], reason?: string): RemovalResult => ({
    kind: 'vault-path',
    name,
    status,
    ...(reason ? { reason } : {}),
  });
  if (!isUnderPrefix(o.path, o.allowedPrefix)) {
    return result('skipped-unmarked', `outside the allowed prefix "${normalizePrefix(o.allowedPrefix)}"`);
  }
  try {
    if (o.kvVersion === 1) return await removeKv1(session, o, result);
    const meta = metadataPath(o.mount, 2, o.path);
    const read = await readCustomMetadata(session, meta);
    if (!read) return result('already-gone');
    const { custom } = read;
    const marks: OwnershipMarks | undefined = fromVaultMetadata(custom);
    if (!isOwnedBy(marks, o.owner)) {
      const found = fromVaultMetadata(custom);
      return result(
        'skipped-unmarked',
        found
          ? `marked for ${found.repository}#${found.pr}, not ${o.owner.repository}#${o.owner.pr}`
          : 'no preview-fleet marks in custom_metadata',
      );
    }
    await session.call(`metadata delete of ${meta}`, (c) => c.delete(meta));
    return result('deleted');
  } catch (err) {
    return result('failed', errorText(err).split('\n')[0]);
  }
}

type Result = (status: RemovalResult['status'], reason?: string) => RemovalResult;

/** Reads a KV v1 entry; undefined when absent (404). */
async function readV1(session: VaultSession, full: string, what: string): Promise<Record<string, string> | undefined> {
  try {
    const res = await session.call(`${what} read of ${full}`, (c) => c.read(full));
    return (res?.data ?? {}) as Record<string, string>;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function removeKv1(session: VaultSession, o: RemoveOptions, result: Result): Promise<RemovalResult> {
  if (o.path.replace(/\/+$/, '').endsWith(V1_MARKER_SUFFIX))
    return result('skipped-unmarked', 'a preview-fleet marker entry, not a preview path');
  const data = dataPath(o.mount, 1, o.path);
  const marker = dataPath(o.mount, 1, v1MarkerPath(o.path));
  const markerData = await readV1(session, marker, 'marker');
  if (markerData === undefined) {
    // A v1 path without a marker was not written by this version of seed-vault for anyone: keep it.
    if (await readV1(session, data, 'existence')) {
      return result(
        'skipped-unmarked',
        `no preview-fleet marker entry ${marker} (KV v1 has no metadata; only paths with our marker entry are removed)`,
      );
    }
    return result('already-gone');
  }
  const found = fromVaultMetadata(markerData);
  if (!isOwnedBy(found, o.owner)) {
    return result(
      'skipped-unmarked',
      found
        ? `marked for ${found.repository}#${found.pr}, not ${o.owner.repository}#${o.owner.pr}`
        : `marker entry ${marker} carries no preview-fleet marks`,
    );
  }
  await session.call(`delete of ${data}`, (c) => c.delete(data));
  await session.call(`marker delete of ${marker}`, (c) => c.delete(marker));
  return result('deleted');
}

export interface ListMarkedOptions {
  mount: string;
  /** Folder to walk, e.g. `preview/`. */
  prefix: string;
  repository: string;
  /** KV engine version (default 2): v2 reads each leaf's custom_metadata, v1 each marker entry. */
  kvVersion?: KvVersion;
}

/**
 * Every path under `prefix` marked for `repository`: KV v2 paths whose custom_metadata carries our
 * marks (recursive `GET <mount>/metadata/<folder>?list=true`, then one metadata read per leaf), KV v1
 * paths with a marker entry carrying them (the marker's name without its suffix). Unmarked paths,
 * or paths marked for another repository, are left out. A missing folder is [].
 */
export async function listMarkedPaths(
  session: VaultSession,
  o: ListMarkedOptions,
): Promise<Array<{ path: string; marks: OwnershipMarks }>> {
  const kv = o.kvVersion ?? 2;
  const out: Array<{ path: string; marks: OwnershipMarks }> = [];
  const walk = async (folder: string): Promise<void> => {
    const listPath = metadataPath(o.mount, kv, folder);
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
      if (key.endsWith('/')) {
        await walk(child);
        continue;
      }
      if (kv === 1 && !key.endsWith(V1_MARKER_SUFFIX)) continue;
      const record = kv === 2 ? metadataPath(o.mount, 2, child) : dataPath(o.mount, 1, child);
      try {
        const res = await session.call(`${kv === 2 ? 'metadata' : 'marker'} read of ${record}`, (c) => c.read(record));
        const marks = fromVaultMetadata(kv === 2 ? res?.data?.custom_metadata : res?.data);
        const path = kv === 2 ? child : child.slice(0, -V1_MARKER_SUFFIX.length);
        if (marks && isOwnedBy(marks, { repository: o.repository })) out.push({ path, marks });
      } catch (err) {
        if (!isNotFound(err)) throw err; // deleted between list and read
      }
    }
  };
  await walk(normalizePrefix(o.prefix));
  return out;
}
