/**
 * One KV v2 secret's metadata and versions, as vault-plugin-secrets-kv keeps them.
 */
import { badRequest, notFound } from './errors.js';

/**
 * One KV v2 secret: the metadata record plus its versions, as hashicorp/vault-plugin-secrets-kv
 * keeps them. Times are RFC 3339 strings from the injected clock.
 */
export interface Kv2Version {
  data: Record<string, unknown> | null;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

export interface Kv2Secret {
  versions: Map<number, Kv2Version>;
  current_version: number;
  oldest_version: number;
  created_time: string;
  updated_time: string;
  max_versions: number;
  cas_required: boolean;
  delete_version_after: string;
  custom_metadata: Record<string, string> | null;
}

export interface Kv2Mount {
  version: 2;
  secrets: Map<string, Kv2Secret>;
  /** Mount-level config (`<mount>/config`): Vault's defaults are 10 versions and no CAS requirement. */
  maxVersions: number;
  casRequired: boolean;
}

/** An empty KV v2 engine with Vault's mount defaults. */
export function newKv2Mount(): Kv2Mount {
  return { version: 2, secrets: new Map(), maxVersions: 10, casRequired: false };
}

function newSecret(now: string): Kv2Secret {
  return {
    versions: new Map(),
    current_version: 0,
    oldest_version: 0,
    created_time: now,
    updated_time: now,
    max_versions: 0,
    cas_required: false,
    delete_version_after: '0s',
    custom_metadata: null,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The per-version metadata Vault returns from writes and reads. */
export function versionMetadata(s: Kv2Secret, n: number): Record<string, unknown> {
  const v = s.versions.get(n)!;
  return {
    created_time: v.created_time,
    custom_metadata: s.custom_metadata,
    deletion_time: v.deletion_time,
    destroyed: v.destroyed,
    version: n,
  };
}

/**
 * Writes a new version. `options.cas` must equal the current version (0 = only if the key has no
 * version yet); a mismatch is Vault's 400 "check-and-set parameter did not match the current version".
 */
export function writeData(m: Kv2Mount, path: string, body: unknown, now: string): Record<string, unknown> {
  if (!isObject(body)) throw badRequest('failed to parse JSON input: request body must be a JSON object');
  if (body.data === undefined) throw badRequest('no data provided');
  if (!isObject(body.data))
    throw badRequest(`error converting input for field "data": '' expected a map, got '${typeof body.data}'`);
  const options = body.options;
  if (options !== undefined && !isObject(options))
    throw badRequest(`error converting input for field "options": expected a map`);
  const cas = options?.cas;
  if (cas !== undefined && (typeof cas !== 'number' || !Number.isInteger(cas) || cas < 0)) {
    throw badRequest(`invalid "cas" option: expected a non-negative integer, got ${JSON.stringify(cas)}`);
  }
  const existing = m.secrets.get(path);
  const s = existing ?? newSecret(now);
  if (cas === undefined && (m.casRequired || s.cas_required))
    throw badRequest('check-and-set parameter required for this call');
  if (cas !== undefined && cas !== s.current_version)
    throw badRequest('check-and-set parameter did not match the current version');
  const n = s.current_version + 1;
  s.versions.set(n, { data: structuredClone(body.data), created_time: now, deletion_time: '', destroyed: false });
  s.current_version = n;
  if (s.oldest_version === 0) s.oldest_version = n;
  s.updated_time = now;
  const max = s.max_versions > 0 ? s.max_versions : m.maxVersions;
  while (s.versions.size > max) {
    s.versions.delete(s.oldest_version);
    s.oldest_version += 1;
  }
  m.secrets.set(path, s);
  return versionMetadata(s, n);
}

/** Reads the current (or a given) version; deleted or destroyed versions are 404 carrying their metadata. */
export function readData(m: Kv2Mount, path: string, version: number | undefined): Record<string, unknown> {
  const s = m.secrets.get(path);
  if (s === undefined || s.current_version === 0) throw notFound();
  const n = version === undefined || version === 0 ? s.current_version : version;
  const v = s.versions.get(n);
  if (v === undefined) throw notFound();
  const metadata = versionMetadata(s, n);
  if (v.destroyed || v.deletion_time !== '') throw notFound({ data: null, metadata });
  return { data: structuredClone(v.data), metadata };
}

function versionsArg(body: unknown): number[] {
  const versions = isObject(body) ? body.versions : undefined;
  if (!Array.isArray(versions) || versions.length === 0) throw badRequest('no version number provided');
  if (!versions.every((v) => Number.isInteger(v)))
    throw badRequest('error converting input for field "versions": expected integers');
  return versions as number[];
}

/** DELETE data/<path>: soft-deletes the latest version (204 even when absent, as Vault does). */
export function deleteLatest(m: Kv2Mount, path: string, now: string): void {
  const s = m.secrets.get(path);
  const v = s?.versions.get(s.current_version);
  if (v !== undefined && v.deletion_time === '' && !v.destroyed) v.deletion_time = now;
}

/** POST delete/ (soft), undelete/ or destroy/ with `{"versions":[...]}`. */
export function changeVersions(
  m: Kv2Mount,
  path: string,
  body: unknown,
  action: 'delete' | 'undelete' | 'destroy',
  now: string,
): void {
  const versions = versionsArg(body);
  const s = m.secrets.get(path);
  if (s === undefined) return;
  for (const n of versions) {
    const v = s.versions.get(n);
    if (v === undefined || v.destroyed) continue;
    if (action === 'delete' && v.deletion_time === '') v.deletion_time = now;
    if (action === 'undelete') v.deletion_time = '';
    if (action === 'destroy') {
      v.destroyed = true;
      v.data = null;
    }
  }
}

/** GET metadata/<path>. */
export function readMetadata(m: Kv2Mount, path: string): Record<string, unknown> {
  const s = m.secrets.get(path);
  if (s === undefined) throw notFound();
  const versions: Record<string, unknown> = {};
  for (const [n, v] of s.versions)
    versions[String(n)] = { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed };
  return {
    cas_required: s.cas_required,
    created_time: s.created_time,
    current_version: s.current_version,
    custom_metadata: s.custom_metadata,
    delete_version_after: s.delete_version_after,
    max_versions: s.max_versions,
    oldest_version: s.oldest_version,
    updated_time: s.updated_time,
    versions,
  };
}

/** Vault's custom_metadata limits: at most 64 keys, keys ≤ 128 bytes, values ≤ 512 bytes, strings only. */
function checkCustomMetadata(v: unknown): Record<string, string> {
  if (!isObject(v)) throw badRequest('custom_metadata must be a map of strings');
  const entries = Object.entries(v);
  const problems: string[] = [];
  if (entries.length > 64) problems.push(`payload must contain at most 64 keys, provided: ${entries.length}`);
  for (const [k, val] of entries) {
    if (typeof val !== 'string') problems.push(`value for key "${k}" must be a string`);
    else if (val.length > 512) problems.push(`length of value for key "${k}" is greater than 512 bytes`);
    if (k.length > 128) problems.push(`length of key "${k}" is greater than 128 bytes`);
    if (k.length === 0) problems.push('key cannot be empty');
  }
  if (problems.length > 0)
    throw badRequest(
      `${problems.length} error${problems.length > 1 ? 's' : ''} occurred:\n${problems.map((p) => `\t* ${p}`).join('\n')}\n\n`,
    );
  return v as Record<string, string>;
}

/** POST metadata/<path>: creates the record when absent (current_version 0), replaces custom_metadata when given. */
export function writeMetadata(m: Kv2Mount, path: string, body: unknown, now: string): void {
  if (!isObject(body)) throw badRequest('failed to parse JSON input: request body must be a JSON object');
  const custom = body.custom_metadata === undefined ? undefined : checkCustomMetadata(body.custom_metadata);
  if (body.max_versions !== undefined && (!Number.isInteger(body.max_versions) || (body.max_versions as number) < 0)) {
    throw badRequest('max_versions must be a non-negative integer');
  }
  if (body.cas_required !== undefined && typeof body.cas_required !== 'boolean')
    throw badRequest('cas_required must be a boolean');
  const s = m.secrets.get(path) ?? newSecret(now);
  if (custom !== undefined) s.custom_metadata = { ...custom };
  if (body.max_versions !== undefined) s.max_versions = body.max_versions as number;
  if (body.cas_required !== undefined) s.cas_required = body.cas_required as boolean;
  if (typeof body.delete_version_after === 'string') s.delete_version_after = body.delete_version_after;
  s.updated_time = now;
  m.secrets.set(path, s);
}

/** Keys directly under `prefix` ("" = mount root), folders with a trailing "/", sorted like Vault's storage list. */
export function listKeys(paths: Iterable<string>, prefix: string): string[] {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const keys = new Set<string>();
  for (const p of paths) {
    if (!p.startsWith(base)) continue;
    const rest = p.slice(base.length);
    const slash = rest.indexOf('/');
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  keys.delete('');
  if (keys.size === 0) throw notFound();
  return [...keys].sort();
}
