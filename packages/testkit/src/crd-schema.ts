/**
 * Validates custom resources against the upstream CRDs in ../shared/contracts/crds/ with ajv, as
 * the API server would: the version's openAPIV3Schema, and unknown fields refused wherever the
 * schema does not preserve them (the API server prunes them silently; kubectl's strict field
 * validation refuses them — either way a misplaced key is a bug).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from './tools.js';

/**
 * The steering tree's contracts sit next to the main checkout (../shared) and two levels up from
 * a worktree under wt/; PREVIEW_FLEET_CONTRACTS overrides both. Absent, the tests fail saying so.
 */
export const CRD_DIR =
  [
    process.env.PREVIEW_FLEET_CONTRACTS ? join(process.env.PREVIEW_FLEET_CONTRACTS, 'crds') : '',
    join(repoRoot, '..', 'shared', 'contracts', 'crds'),
    join(repoRoot, '..', '..', 'shared', 'contracts', 'crds'),
  ].find((d) => d !== '' && existsSync(d)) ?? join(repoRoot, '..', 'shared', 'contracts', 'crds');

type Schema = Record<string, any>;

/** Closes every object schema with properties that does not preserve unknown fields. */
function closeObjects(s: Schema): Schema {
  if (!s || typeof s !== 'object') return s;
  const out: Schema = Array.isArray(s)
    ? s.map(closeObjects)
    : Object.fromEntries(Object.entries(s).map(([k, v]) => [k, closeObjects(v)]));
  if (
    !Array.isArray(s) &&
    s.properties &&
    s.additionalProperties === undefined &&
    s['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const cache = new Map<string, (o: unknown) => boolean>();

/** A validator for `file`'s `version` (e.g. `argocd.applications.yaml`, `v1alpha1`). */
export function crdValidator(file: string, version: string): (object: unknown) => ErrorObject[] {
  const key = `${file}@${version}`;
  let validate = cache.get(key) as (((o: unknown) => boolean) & { errors?: ErrorObject[] | null }) | undefined;
  if (!validate) {
    const path = join(CRD_DIR, file);
    if (!existsSync(path))
      throw new Error(`Upstream CRD ${path} is absent (set PREVIEW_FLEET_CONTRACTS to the contracts folder)`);
    const crd = parseYaml(readFileSync(path, 'utf8'), { maxAliasCount: -1 });
    const v = crd.spec.versions.find((x: { name: string }) => x.name === version);
    if (!v) throw new Error(`${file} has no version ${version}`);
    validate = ajv.compile(closeObjects(v.schema.openAPIV3Schema));
    cache.set(key, validate);
  }
  const fn = validate;
  return (object) => (fn(object) ? [] : [...(fn.errors ?? [])]);
}

/** Errors as `path: message` lines, for readable test failures. */
export function describeErrors(errors: ErrorObject[]): string[] {
  return errors.map(
    (e) =>
      `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
  );
}
