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
  return kv === 2 ? `${data} and path "${metadataPath(mount, 2, prefix)}/*" { capabilities = ["create", "read", "update", "delete", "list"] }` : data;
}

/**
 * The guards every write and delete goes through: the target lies under the allowed prefix and is
 * not the source. Throws InputError naming the input, so nothing is contacted on a bad plan.
 */
export function guardTarget(args: { sourcePath: string; targetPath: string; allowedPrefix: string; targetInput?: string }): void {
  const input = args.targetInput ?? 'target-path';
  if (trim(args.allowedPrefix) === '' ) {
    throw new InputError('allowed-prefix', args.allowedPrefix, 'must name a folder such as "preview/" (an empty prefix would allow writing anywhere)');
  }
  if (!isUnderPrefix(args.targetPath, args.allowedPrefix)) {
    throw new InputError(input, args.targetPath, `must lie under allowed-prefix "${normalizePrefix(args.allowedPrefix)}"`,
      'Change target-path or allowed-prefix; seed-vault never writes outside the allowed prefix');
  }
  if (trim(args.targetPath) === trim(args.sourcePath)) {
    throw new InputError(input, args.targetPath, 'must differ from source-path', 'The source is stage: it is read, never written');
  }
  if (isUnderPrefix(args.sourcePath, args.targetPath)) {
    throw new InputError(input, args.targetPath, 'must not contain source-path');
  }
}
