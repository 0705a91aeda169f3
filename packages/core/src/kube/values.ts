/**
 * The generated values file: everything preview-fleet sets (image, host, secret references, the
 * user's `set` lines and `values` block) goes into ONE YAML file passed after the user's own
 * files — never `--set`, whose parser splits on commas and dots and mangles such values.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError } from '../runtime/errors.js';

export type Values = Record<string, unknown>;

/** A dotted key path; `\.` keeps a dot inside one key (e.g. `podAnnotations.example\.com/x`). */
export function splitKeyPath(input: string, path: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '.') {
      cur += '.';
      i++;
    } else if (c === '.') {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  if (parts.some((p) => p.trim() === '' || p !== p.trim())) {
    throw new InputError(
      input,
      path,
      'must be a dotted key path like image.repository (use \\. for a dot inside a key)',
    );
  }
  return parts;
}

/** Sets `path` in `target`, creating maps on the way; a scalar in the way is replaced by a map. */
export function setPath(target: Values, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

const isMap = (v: unknown): v is Values => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Helm's coalescing for values files: maps merge key by key, anything else replaces. */
export function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(out[k]) && isMap(v) ? deepMerge(out[k] as Values, v) : v;
  return out;
}

/**
 * A `set` value read as a YAML scalar, as Helm users expect (`2` a number, `true` a boolean,
 * `"a,b"` a string); structures belong in the `values` input.
 */
export function parseScalar(input: string, key: string, raw: string): string | number | boolean | null {
  const text = raw.trim();
  if (text === '') return '';
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch {
    throw new InputError(
      input,
      `${key}=${raw}`,
      'must give each key a YAML scalar (quote text with special characters)',
    );
  }
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v as string | number | boolean | null;
  // `a: b`, `[1]`, `{x: 1}` parse as structures: such text is meant literally.
  return text;
}

/** The `values` input: a YAML mapping, or an InputError saying where YAML failed. */
export function parseValuesBlock(input: string, raw: string): Values {
  if (raw.trim() === '') return {};
  let v: unknown;
  try {
    v = parseYaml(raw);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    throw new InputError(input, raw, 'must be a YAML mapping (key: value lines)', first);
  }
  if (v === null || v === undefined) return {};
  if (!isMap(v))
    throw new InputError(input, raw, 'must be a YAML mapping (key: value lines), not a list or a single value');
  return v;
}

export interface GeneratedValues {
  image?: { repository: string; tag?: string; repositoryKey: string; tagKey: string };
  host?: { value: string; key: string };
  /** Secret references: the key path and the name to put there. */
  secretRefs?: Array<{ key: string; value: string }>;
  /** Parsed `set` lines (key path → raw text), applied after ours. */
  set?: Map<string, string>;
  /** The `values` block, merged last. */
  values?: Values;
}

/**
 * Builds the generated values: ours first (image, host, secret references), then `set` lines as
 * YAML scalars, then the `values` block merged last, so the user always has the final word.
 */
export function buildGeneratedValues(g: GeneratedValues): Values {
  let out: Values = {};
  if (g.image) {
    setPath(out, splitKeyPath('image-repository-key', g.image.repositoryKey), g.image.repository);
    if (g.image.tag !== undefined) setPath(out, splitKeyPath('image-tag-key', g.image.tagKey), g.image.tag);
  }
  if (g.host) setPath(out, splitKeyPath('host-key', g.host.key), g.host.value);
  for (const ref of g.secretRefs ?? []) setPath(out, splitKeyPath('secret-ref-key', ref.key), ref.value);
  for (const [key, raw] of g.set ?? []) setPath(out, splitKeyPath('set', key), parseScalar('set', key, raw));
  if (g.values) out = deepMerge(out, g.values);
  return out;
}

/** YAML text for the file (strings that look like numbers or booleans stay quoted). */
export function renderValuesFile(values: Values): string {
  return stringifyYaml(values, { lineWidth: 0 });
}

/**
 * Splits an image reference for charts that render `repository:tag`. `repo:tag@sha256:…` keeps
 * the digest on the tag side (`tag@sha256:…` renders a valid pinned reference); a port in the
 * registry host is not a tag; a digest without a tag stays whole in the repository.
 */
export function splitImage(input: string, image: string): { repository: string; tag?: string } {
  const ref = image.trim();
  if (ref === '' || /\s/.test(ref))
    throw new InputError(input, image, 'must be an image reference like registry/repo:tag');
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return { repository: name.slice(0, colon), tag: name.slice(colon + 1) + digest };
  return { repository: ref };
}
