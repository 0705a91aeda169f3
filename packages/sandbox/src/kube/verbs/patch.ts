/**
 * JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch for built-in types.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError, badRequest } from '../server/errors.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/** RFC 7386 JSON merge patch (`application/merge-patch+json`): null deletes, objects merge, anything else replaces. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** RFC 6902 JSON patch (`application/json-patch+json`); a failed `test` or a missing path is a 422 like the real server. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const op = raw?.op;
    switch (op) {
      case 'add':
        doc = setAt(doc, pointer(raw.path), clone(raw.value), 'add');
        break;
      case 'replace':
        getAt(doc, pointer(raw.path), raw.path);
        doc = setAt(doc, pointer(raw.path), clone(raw.value), 'replace');
        break;
      case 'remove':
        doc = removeAt(doc, pointer(raw.path), raw.path);
        break;
      case 'move': {
        const v = getAt(doc, pointer(raw.from ?? ''), raw.from ?? '');
        doc = removeAt(doc, pointer(raw.from ?? ''), raw.from ?? '');
        doc = setAt(doc, pointer(raw.path), v, 'add');
        break;
      }
      case 'copy':
        doc = setAt(doc, pointer(raw.path), clone(getAt(doc, pointer(raw.from ?? ''), raw.from ?? '')), 'add');
        break;
      case 'test':
        if (!isDeepStrictEqual(getAt(doc, pointer(raw.path), raw.path), raw.value)) {
          throw new ApiError(
            422,
            'Invalid',
            `the server rejected our request due to an error in our request: testing value ${raw.path} failed`,
          );
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${String(op)}`);
    }
  }
  return doc;
}

function pointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw badRequest(`invalid JSON pointer "${p}"`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function missing(path: string): ApiError {
  return new ApiError(
    422,
    'Invalid',
    `the server rejected our request due to an error in our request: missing value at ${path}`,
  );
}

function getAt(doc: unknown, segs: string[], path: string): unknown {
  let cur = doc;
  for (const s of segs) {
    if (Array.isArray(cur)) {
      const i = Number(s);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) throw missing(path);
      cur = cur[i];
    } else if (isObj(cur) && Object.prototype.hasOwnProperty.call(cur, s)) cur = cur[s];
    else throw missing(path);
  }
  return cur;
}

function setAt(doc: unknown, segs: string[], value: unknown, mode: 'add' | 'replace'): unknown {
  if (segs.length === 0) return value;
  const parent = getAt(doc, segs.slice(0, -1), '/' + segs.slice(0, -1).join('/'));
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw missing('/' + segs.join('/'));
    if (mode === 'add') parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isObj(parent)) parent[last] = value;
  else throw missing('/' + segs.join('/'));
  return doc;
}

function removeAt(doc: unknown, segs: string[], path: string): unknown {
  getAt(doc, segs, path);
  const parent = getAt(doc, segs.slice(0, -1), path);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObj(parent)) delete parent[last];
  return doc;
}

/** How a list field merges: by a key field, as a set of primitives, or atomically (replaced whole). */
export type ListStrategy = { mergeKey: string } | { set: true } | undefined;

/**
 * The strategic-merge metadata of the built-in types we serve (patchMergeKey/patchStrategy in
 * k8s.io/api), by field name with the parent path deciding between container and Service ports.
 */
export function listStrategy(path: readonly string[]): ListStrategy {
  const field = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return { mergeKey: 'name' };
    case 'secrets':
      return path.length === 1 ? { mergeKey: 'name' } : undefined;
    case 'volumeMounts':
      return { mergeKey: 'mountPath' };
    case 'volumeDevices':
      return { mergeKey: 'devicePath' };
    case 'ports':
      return parent === '[]' ? { mergeKey: 'containerPort' } : { mergeKey: 'port' };
    case 'hostAliases':
      return { mergeKey: 'ip' };
    case 'ownerReferences':
      return { mergeKey: 'uid' };
    case 'conditions':
      return { mergeKey: 'type' };
    case 'topologySpreadConstraints':
      return { mergeKey: 'topologyKey' };
    case 'finalizers':
      return parent === 'metadata' ? { set: true } : undefined;
    default:
      return undefined;
  }
}

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) with the directives kubectl
 * and helm 3's three-way diff send: `$patch: replace|delete|merge`, `$retainKeys`,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`, null deletes a key.
 */
export function strategicMerge(original: unknown, patch: unknown, path: string[] = []): unknown {
  if (!isObj(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const { $patch: _d, ...rest } = patch;
    return stripDirectives(rest);
  }
  const out: Obj = isObj(original) ? clone(original) : {};
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (
      k === '$patch' ||
      k === '$retainKeys' ||
      k.startsWith('$setElementOrder/') ||
      k.startsWith('$deleteFromPrimitiveList/')
    )
      continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const childPath = [...path, k];
    if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, childPath);
    } else if (isObj(v)) {
      const merged = strategicMerge(out[k], v, childPath);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) {
        out[field] = (out[field] as unknown[]).filter((x) => !v.some((d) => isDeepStrictEqual(d, x)));
        if ((out[field] as unknown[]).length === 0) delete out[field];
      }
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') && Array.isArray(v)) {
      const field = k.slice('$setElementOrder/'.length);
      if (Array.isArray(out[field])) out[field] = reorder(out[field] as unknown[], v, listStrategy([...path, field]));
    }
  }
  return out;
}

function mergeList(original: unknown, patch: unknown[], path: string[]): unknown[] {
  const strategy = listStrategy(path);
  const orig = Array.isArray(original) ? clone(original) : [];
  const itemPath = [...path, '[]'];
  if (!strategy) {
    return patch.filter((x) => !(isObj(x) && x.$patch)).map((x) => stripDirectives(x));
  }
  if ('set' in strategy) {
    const out = [...orig];
    for (const x of patch) if (!out.some((y) => isDeepStrictEqual(x, y))) out.push(x);
    return out;
  }
  const key = strategy.mergeKey;
  if (patch.some((x) => isObj(x) && x.$patch === 'replace')) {
    return patch.filter((x) => !(isObj(x) && x.$patch === 'replace')).map((x) => stripDirectives(x));
  }
  const out = orig;
  for (const item of patch) {
    if (!isObj(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], item, itemPath);
    else out.push(strategicMerge(undefined, item, itemPath));
  }
  return out;
}

function reorder(list: unknown[], order: unknown[], strategy: ListStrategy): unknown[] {
  const keyOf = (x: unknown): unknown => (strategy && 'mergeKey' in strategy && isObj(x) ? x[strategy.mergeKey] : x);
  const orderKeys = order.map((o) => (strategy && 'mergeKey' in strategy && isObj(o) ? o[strategy.mergeKey] : o));
  const ranked = list.map((x, i) => {
    const r = orderKeys.findIndex((k) => isDeepStrictEqual(k, keyOf(x)));
    return { x, r: r < 0 ? orderKeys.length + i : r };
  });
  return ranked.sort((a, b) => a.r - b.r).map((e) => e.x);
}

/** Removes `$…` directive keys (a `$patch: replace` body is stored without them). */
export function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}
