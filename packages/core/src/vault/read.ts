/**
 * Reading the PR's own copy (seed-vault's target path) so deploy-helm can materialise it in the
 * namespace. Only a path marked for this repository and PR is read: a foreign or unmarked path
 * is somebody else's values and never lands in a preview.
 */
import { fromVaultMetadata, type OwnershipMarks } from '../marks.js';
import { ActionError } from '../runtime/index.js';
import type { VaultRequestError } from './errors.js';
import { describeMarks, ownsPath } from './ownership.js';
import { dataPath, metadataPath, v1MarkerPath, type KvVersion } from './paths.js';
import { maskValues } from './seed.js';
import type { VaultSession } from './session.js';

export interface ReadPrSecretOptions {
  mount: string;
  kvVersion: KvVersion;
  path: string;
  /** This repository, PR and service: the marks the path must carry. */
  marks: OwnershipMarks;
}

const notFound = (e: unknown) => (e as VaultRequestError).status === 404;

async function readOrUndefined(
  session: VaultSession,
  what: string,
  full: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await session.call(`${what} read of ${full}`, (c) => c.read(full));
    return (res?.data ?? undefined) as Record<string, unknown> | undefined;
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

/**
 * The PR's values as strings (non-strings JSON-encoded), every value masked line by line as it
 * arrives. Fails (nothing is written) when the path is missing or not this PR's.
 */
export async function readPrSecret(session: VaultSession, o: ReadPrSecretOptions): Promise<Record<string, string>> {
  const full = dataPath(o.mount, o.kvVersion, o.path);
  const marksAt = o.kvVersion === 2 ? metadataPath(o.mount, 2, o.path) : dataPath(o.mount, 1, v1MarkerPath(o.path));
  const record = await readOrUndefined(session, o.kvVersion === 2 ? 'metadata' : 'marker', marksAt);
  const raw = (o.kvVersion === 2 ? record?.custom_metadata : record) as Record<string, string> | null | undefined;
  const data = await readOrUndefined(session, 'PR copy', full);
  const values = (o.kvVersion === 2 ? data?.data : data) as Record<string, unknown> | null | undefined;
  if (!values) {
    throw new ActionError(`Vault path ${full} does not exist (or its current version is deleted)`, {
      hint: 'seed-vault creates it: run it before deploy-helm with the same target-path, mount and kv-version',
    });
  }
  maskValues(values, full);
  if (!ownsPath(fromVaultMetadata(raw), o.marks)) {
    throw new ActionError(
      `Vault path ${full} is not this pull request's: ${describeMarks(raw)}; its values are not copied into the preview`,
      {
        hint: 'seed-vault marks the copy it creates; give deploy-helm the same target-path as seed-vault',
      },
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}
