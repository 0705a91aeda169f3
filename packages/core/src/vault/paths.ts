/**
 * Where KV paths live on the wire. KV v2 splits data (`<mount>/data/<p>`) from metadata
 * (`<mount>/metadata/<p>`, which lists and holds `custom_metadata`); KV v1 is `<mount>/<p>` for
 * everything (Vault docs, "KV secrets engine - version 1/2").
 */
import { InputError } from '../runtime/index.js';

export type KvVersion = 1 | 2;

const trim = (s: string): string => s.replace(/^\/+|\/+$/g, '');

/** Where a secret's data is read and written: `<mount>/data/<p>` (v2) or `<mount>/<p>` (v1). */
export function dataPath(mount: string, kv: KvVersion, path: string): string {
  return kv === 2 ? `${trim(mount)}/data/${trim(path)}` : `${trim(mount)}/${trim(path)}`;
}

/** Where v2 metadata (custom_metadata, list, delete-all-versions) lives; v1 has none, so the data path. */
export function metadataPath(mount: string, kv: KvVersion, path: string): string {
  return kv === 2 ? `${trim(mount)}/metadata/${trim(path)}` : `${trim(mount)}/${trim(path)}`;
}

/**
 * KV v1 has no metadata, so each per-PR v1 path gets a sibling entry holding its marks (the same
 * keys as KV v2 custom_metadata): `preview/app-12` → `preview/app-12.preview-fleet-marks`. It is
 * written before the data and deleted after it, so no v1 copy of ours is ever unmarked.
 */
export const V1_MARKER_SUFFIX = '.preview-fleet-marks';

/** Where the marks of KV v1 path `path` live (relative to the mount). */
export function v1MarkerPath(path: string): string {
  return `${trim(path)}${V1_MARKER_SUFFIX}`;
}

/** The folder holding `path` (`stage/app` → `stage/`), or '' for a key at the mount's root. */
export function parentFolder(path: string): string {
  const t = trim(path);
  const slash = t.lastIndexOf('/');
  return slash === -1 ? '' : `${t.slice(0, slash)}/`;
}

/** The prefix with exactly one trailing `/` (`preview` and `preview/` mean the same folder). */
export function normalizePrefix(prefix: string): string {
  return `${trim(prefix)}/`;
}

/** True when `path` lies strictly inside the folder `prefix` (segment-wise, so `previewx/a` is not in `preview/`). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  const p = normalizePrefix(prefix);
  return p !== '/' && trim(path).startsWith(p) && trim(path).length > p.length;
}

/** The ACL rule a token needs to create the target, for the 403 hint. */
export function policyHint(mount: string, kv: KvVersion, prefix: string): string {
  const data = `path "${dataPath(mount, kv, prefix)}/*" { capabilities = ["create", "read", "update"] }`;
  return kv === 2
    ? `${data} and path "${metadataPath(mount, 2, prefix)}/*" { capabilities = ["create", "read", "update", "delete", "list"] }`
    : data;
}

/**
 * The guards every write and delete goes through: the target lies under the allowed prefix, is not
 * the source and not beside it (never inside the source's folder, whatever allowed-prefix says),
 * and is not a KV v1 marker entry. Throws InputError naming the input, so nothing is contacted on
 * a bad plan.
 */
export function guardTarget(args: {
  sourcePath: string;
  targetPath: string;
  allowedPrefix: string;
  targetInput?: string;
}): void {
  const input = args.targetInput ?? 'target-path';
  if (trim(args.allowedPrefix) === '') {
    throw new InputError(
      'allowed-prefix',
      args.allowedPrefix,
      'must name a folder such as "preview/" (an empty prefix would allow writing anywhere)',
    );
  }
  if (!isUnderPrefix(args.targetPath, args.allowedPrefix)) {
    throw new InputError(
      input,
      args.targetPath,
      `must lie under allowed-prefix "${normalizePrefix(args.allowedPrefix)}"`,
      'Change target-path or allowed-prefix; seed-vault never writes outside the allowed prefix',
    );
  }
  if (trim(args.targetPath) === trim(args.sourcePath)) {
    throw new InputError(
      input,
      args.targetPath,
      'must differ from source-path',
      'The source is stage: it is read, never written',
    );
  }
  if (isUnderPrefix(args.sourcePath, args.targetPath)) {
    throw new InputError(input, args.targetPath, 'must not contain source-path');
  }
  const sourceFolder = parentFolder(args.sourcePath);
  if (sourceFolder !== '' && isUnderPrefix(args.targetPath, sourceFolder)) {
    throw new InputError(
      input,
      args.targetPath,
      `must not lie inside the source's folder "${sourceFolder}" (source-path resolves to "${trim(args.sourcePath)}")`,
      'Preview copies never sit beside stage secrets, whatever allowed-prefix says: use a separate folder such as preview/{{service}}-{{number}} with allowed-prefix "preview/"',
    );
  }
  if (trim(args.targetPath).endsWith(V1_MARKER_SUFFIX)) {
    throw new InputError(
      input,
      args.targetPath,
      `must not end with "${V1_MARKER_SUFFIX}" (the suffix of preview-fleet's KV v1 marker entries)`,
    );
  }
}
