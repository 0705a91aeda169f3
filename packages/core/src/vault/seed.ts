/**
 * Clone-on-create: the per-PR path is written once, from stage, and then belongs to the PR.
 * KV v2 writes with `options.cas = 0` ("the write will only be allowed if the key doesn't exist",
 * Vault KV v2 API docs), so of two racing runs exactly one creates it; the loser sees Vault's
 * "check-and-set parameter did not match the current version" and reports created=false.
 * The KV v2 marks are written right after the data (a second request). A path is reused only when
 * its marks are this repository's and PR's (ownership.ts); an unmarked path is finished (marked)
 * only when it is exactly the copy this run would write — the trace of a create whose reply or
 * marks were lost — and refused otherwise.
 * KV v1 has no check-and-set and no metadata: the marks go to a sibling marker entry written
 * before the data, and two truly simultaneous first runs may both write (the same stage copy).
 */
import { ActionError, log, maskSecret, shortValueNotice } from '../runtime/index.js';
import { fromVaultMetadata, toVaultMetadata, type OwnershipMarks } from '../marks.js';
import type { VaultRequestError } from './errors.js';
import { describeMarks, isOurUnmarkedCopy, notOursError, ownsPath } from './ownership.js';
import { dataPath, guardTarget, metadataPath, policyHint, v1MarkerPath, type KvVersion } from './paths.js';
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
  /** Stamped into KV v2 `custom_metadata` or the KV v1 marker entry (removal and the reaper trust only these). */
  marks: OwnershipMarks;
}

export interface SeedResult {
  created: boolean;
  keyCount: number;
  /** Set when an unmarked copy identical to ours was found and this run wrote its marks. */
  finishedMarks?: true;
}

const CAS_MISMATCH = /check-and-set parameter did not match/i;

/** Masks every line of every value (a multi-line PEM must not leak its middle lines); names keys left unmasked as too short. */
export function maskValues(data: Record<string, unknown>, what: string): void {
  const short: string[] = [];
  for (const [key, v] of Object.entries(data)) {
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (text !== '' && maskSecret(text).tooShort > 0) short.push(key);
  }
  if (short.length > 0)
    log.notice(
      shortValueNotice(`${short.length > 1 ? 'Keys' : 'Key'} ${short.join(', ')} in ${what}`),
      'Short secret values not masked',
    );
}

const isNotFound = (e: unknown): boolean => (e as VaultRequestError).status === 404;

type Hint = (e: VaultRequestError) => string | undefined;

interface Ctx {
  session: VaultSession;
  o: SeedOptions;
  denied: Hint;
  /** The target's full data path, for messages. */
  target: string;
  /** Source + overrides: what a create writes (read lazily: a reused path never reads stage). */
  expected(): Promise<Record<string, unknown>>;
}

async function readData(
  session: VaultSession,
  o: SeedOptions,
  path: string,
  what: string,
  hint?: Hint,
): Promise<Record<string, unknown> | undefined> {
  const full = dataPath(o.mount, o.kvVersion, path);
  try {
    const res = await session.call(`read of ${what} ${full}`, (c) => c.read(full), hint);
    const data = (o.kvVersion === 2 ? res?.data?.data : res?.data) as Record<string, unknown> | null | undefined;
    if (!data) return undefined; // KV v2: the current version is deleted
    maskValues(data, full);
    return data;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A KV v2 metadata record or a KV v1 marker entry; undefined when absent (404). */
async function readRecord(c: Ctx, full: string, what: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await c.session.call(`${what} read of ${full}`, (client) => client.read(full), c.denied);
    return (res?.data ?? {}) as Record<string, unknown>;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Decides about an existing KV v2 path from its metadata: ours → reused; unmarked and exactly our
 * copy (version 1 only) → marks written; anything else → an error, nothing written.
 */
async function settleKv2(c: Ctx, meta: Record<string, unknown>, ourWriteMayHaveLanded: boolean): Promise<SeedResult> {
  const custom = meta.custom_metadata as Record<string, string> | null | undefined;
  const existing = await readData(c.session, c.o, c.o.targetPath, 'target', c.denied);
  const keyCount = Object.keys(existing ?? {}).length;
  const found = fromVaultMetadata(custom);
  if (found) {
    if (ownsPath(found, c.o.marks)) return { created: false, keyCount };
    throw notOursError(c.target, describeMarks(custom), c.o.marks);
  }
  if (meta.current_version === 1 && isOurUnmarkedCopy(custom, existing, await c.expected())) {
    await writeKv2Marks(c);
    return { created: ourWriteMayHaveLanded, keyCount, finishedMarks: true };
  }
  throw notOursError(c.target, `${describeMarks(custom)} and is not the copy this run would write`, c.o.marks);
}

async function writeKv2Marks(c: Ctx): Promise<void> {
  const meta = metadataPath(c.o.mount, 2, c.o.targetPath);
  await c.session.call(
    `custom_metadata write of ${meta}`,
    (client) => client.write(meta, { custom_metadata: toVaultMetadata(c.o.marks) }),
    c.denied,
  );
}

async function seedKv2(c: Ctx): Promise<SeedResult> {
  const metaPath = metadataPath(c.o.mount, 2, c.o.targetPath);
  const before = await readRecord(c, metaPath, 'metadata');
  if (before) return settleKv2(c, before, false);
  const data = await c.expected();
  let attempts = 0;
  try {
    await c.session.call(
      `create (cas=0) of ${c.target}`,
      (client) => {
        attempts += 1;
        return client.write(c.target, { data, options: { cas: 0 } });
      },
      c.denied,
    );
  } catch (err) {
    const e = err as VaultRequestError;
    if (!(e.status === 400 && CAS_MISMATCH.test(e.vaultMessage))) throw err;
    // Someone created it first — or our own earlier attempt landed and only its reply was lost.
    const now = await readRecord(c, metaPath, 'metadata');
    if (!now) throw err;
    return settleKv2(c, now, attempts > 1);
  }
  await writeKv2Marks(c);
  return { created: true, keyCount: Object.keys(data).length };
}

/** KV v1: marker first, then data; an existing path needs our marker (or to be exactly our copy). */
async function seedKv1(c: Ctx): Promise<SeedResult> {
  const marker = dataPath(c.o.mount, 1, v1MarkerPath(c.o.targetPath));
  const writeMarker = () =>
    c.session.call(`marker write of ${marker}`, (client) => client.write(marker, toVaultMetadata(c.o.marks)), c.denied);
  const markerData = (await readRecord(c, marker, 'marker')) as Record<string, string> | undefined;
  const existing = await readData(c.session, c.o, c.o.targetPath, 'target', c.denied);
  if (markerData !== undefined && !ownsPath(fromVaultMetadata(markerData), c.o.marks)) {
    throw notOursError(c.target, `its marker entry ${marker}: ${describeMarks(markerData)}`, c.o.marks);
  }
  if (existing !== undefined) {
    if (markerData !== undefined) return { created: false, keyCount: Object.keys(existing).length };
    if (!isOurUnmarkedCopy(undefined, existing, await c.expected())) {
      throw notOursError(
        c.target,
        `it has no marker entry (${marker}) and is not the copy this run would write`,
        c.o.marks,
      );
    }
    await writeMarker();
    return { created: false, keyCount: Object.keys(existing).length, finishedMarks: true };
  }
  const data = await c.expected();
  if (markerData === undefined) await writeMarker();
  await c.session.call(`write of ${c.target}`, (client) => client.write(c.target, data), c.denied);
  return { created: true, keyCount: Object.keys(data).length };
}

/**
 * Creates `targetPath` as a copy of `sourcePath` plus `overrides`, unless this PR's copy exists.
 * Never writes anywhere but `targetPath` (and its KV v2 metadata or KV v1 marker entry); the guards
 * run before any request. Every value read is masked line by line. Errors never carry a value.
 */
export async function seedSecrets(session: VaultSession, o: SeedOptions): Promise<SeedResult> {
  guardTarget(o);
  const overrides = o.overrides instanceof Map ? Object.fromEntries(o.overrides) : { ...o.overrides };
  maskValues(overrides, 'overrides');
  const target = dataPath(o.mount, o.kvVersion, o.targetPath);
  const denied: Hint = (e) =>
    e.status === 403
      ? `The Vault token may not use ${target}. Its policy needs: ${policyHint(o.mount, o.kvVersion, o.allowedPrefix)}`
      : undefined;
  let expected: Record<string, unknown> | undefined;
  const c: Ctx = {
    session,
    o,
    denied,
    target,
    async expected() {
      if (expected) return expected;
      const sourceFull = dataPath(o.mount, o.kvVersion, o.sourcePath);
      const source = await readData(session, o, o.sourcePath, 'source', (e) =>
        e.status === 403
          ? `The Vault token may not read the source. Its policy needs: path "${sourceFull}" { capabilities = ["read"] }`
          : undefined,
      );
      if (!source) {
        throw new ActionError(`Source ${sourceFull} is missing or unreadable`, {
          hint: `Vault answers 404 both when the path does not exist and when its current version is deleted; check source-path, mount "${o.mount}" and kv-version ${o.kvVersion}`,
        });
      }
      expected = { ...source, ...overrides };
      return expected;
    },
  };
  return o.kvVersion === 2 ? seedKv2(c) : seedKv1(c);
}
