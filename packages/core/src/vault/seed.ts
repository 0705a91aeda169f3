/**
 * Clone-on-create: the per-PR path is written once, from stage, and then belongs to the PR.
 * KV v2 writes with `options.cas = 0` ("the write will only be allowed if the key doesn't exist",
 * Vault KV v2 API docs), so of two racing runs exactly one creates it; the loser sees Vault's
 * "check-and-set parameter did not match the current version" and reports created=false.
 * KV v1 has no check-and-set: it is read-then-write, so two truly simultaneous first runs may both
 * write (the same stage copy, last one wins) — use KV v2 when that matters.
 * The marks are written right after the data (a second request): a run killed between the two
 * leaves an unmarked copy, which removal and the reaper then refuse to touch (safe side).
 */
import { ActionError, maskSecret } from '../runtime/index.js';
import { toVaultMetadata, type OwnershipMarks } from '../marks.js';
import type { VaultRequestError } from './errors.js';
import { dataPath, guardTarget, metadataPath, policyHint, type KvVersion } from './paths.js';
import type { VaultSession } from './session.js';

export interface SeedOptions {
  mount: string;
  kvVersion: KvVersion;
  /** Read only (stage). */
  sourcePath: string;
  /** Created only if absent; must lie under `allowedPrefix` and differ from the source. */
  targetPath: string;
  allowedPrefix: string;
  /** Applied on top of the source when the copy is created (ignored when it already exists). */
  overrides: Map<string, string> | Record<string, string>;
  /** Stamped into KV v2 `custom_metadata` (removal and the reaper trust only these). */
  marks: OwnershipMarks;
}

export interface SeedResult {
  created: boolean;
  keyCount: number;
}

const CAS_MISMATCH = /check-and-set parameter did not match/i;

/** Masks every line of every value (a multi-line PEM must not leak its middle lines). */
function maskValues(data: Record<string, unknown>): void {
  for (const v of Object.values(data)) {
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (text !== '') maskSecret(text);
  }
}

const isNotFound = (e: unknown): boolean => (e as VaultRequestError).status === 404;

type Hint = (e: VaultRequestError) => string | undefined;

async function readData(session: VaultSession, o: SeedOptions, path: string, what: string, hint?: Hint): Promise<Record<string, unknown> | undefined> {
  const full = dataPath(o.mount, o.kvVersion, path);
  try {
    const res = await session.call(`read of ${what} ${full}`, (c) => c.read(full), hint);
    const data = (o.kvVersion === 2 ? res?.data?.data : res?.data) as Record<string, unknown> | null | undefined;
    if (!data) return undefined; // KV v2: the current version is deleted
    maskValues(data);
    return data;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function targetExists(session: VaultSession, o: SeedOptions, hint: Hint): Promise<boolean> {
  if (o.kvVersion === 1) return (await readData(session, o, o.targetPath, 'target', hint)) !== undefined;
  const meta = metadataPath(o.mount, 2, o.targetPath);
  try {
    await session.call(`metadata read of ${meta}`, (c) => c.read(meta), hint);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Creates `targetPath` as a copy of `sourcePath` plus `overrides`, unless it exists. Never writes
 * anywhere but `targetPath` (and its KV v2 metadata); the guards run before any request.
 * Every value read is masked line by line. Errors never carry a value.
 */
export async function seedSecrets(session: VaultSession, o: SeedOptions): Promise<SeedResult> {
  guardTarget(o);
  const overrides = o.overrides instanceof Map ? Object.fromEntries(o.overrides) : { ...o.overrides };
  maskValues(overrides);
  const target = dataPath(o.mount, o.kvVersion, o.targetPath);
  const denied: Hint = (e) => (e.status === 403
    ? `The Vault token may not use ${target}. Its policy needs: ${policyHint(o.mount, o.kvVersion, o.allowedPrefix)}`
    : undefined);

  if (await targetExists(session, o, denied)) {
    const existing = await readData(session, o, o.targetPath, 'target', denied);
    return { created: false, keyCount: Object.keys(existing ?? {}).length };
  }

  const sourceFull = dataPath(o.mount, o.kvVersion, o.sourcePath);
  const source = await readData(session, o, o.sourcePath, 'source', (e) => (e.status === 403
    ? `The Vault token may not read the source. Its policy needs: path "${sourceFull}" { capabilities = ["read"] }`
    : undefined));
  if (!source) {
    throw new ActionError(`Source ${sourceFull} is missing or unreadable`, {
      hint: `Vault answers 404 both when the path does not exist and when its current version is deleted; check source-path, mount "${o.mount}" and kv-version ${o.kvVersion}`,
    });
  }
  const data = { ...source, ...overrides };

  if (o.kvVersion === 1) {
    await session.call(`write of ${target}`, (c) => c.write(target, data), denied);
    return { created: true, keyCount: Object.keys(data).length };
  }
  try {
    await session.call(`create (cas=0) of ${target}`, (c) => c.write(target, { data, options: { cas: 0 } }), denied);
  } catch (err) {
    const e = err as VaultRequestError;
    if (e.status === 400 && CAS_MISMATCH.test(e.vaultMessage)) {
      const existing = await readData(session, o, o.targetPath, 'target', denied);
      return { created: false, keyCount: Object.keys(existing ?? {}).length };
    }
    throw err;
  }
  const meta = metadataPath(o.mount, 2, o.targetPath);
  await session.call(`custom_metadata write of ${meta}`, (c) => c.write(meta, { custom_metadata: toVaultMetadata(o.marks) }), denied);
  return { created: true, keyCount: Object.keys(data).length };
}
