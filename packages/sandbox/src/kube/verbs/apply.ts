/**
 * Server-side apply: field sets, managedFields per manager and operation, and real conflicts.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../server/errors.js';
import { listStrategy, strategicMerge } from './patch.js';
import type { KubeObject } from '../storage/store.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/** One entry of `metadata.managedFields`, as the real server writes it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Obj;
  subresource?: string;
}

/**
 * The field paths an applied configuration sets, in fieldsV1 segment form: `f:spec`,
 * `k:{"name":"web"}` for an item of a keyed list, `v:"x"` for a member of a set list. Scalars,
 * atomic lists and empty maps are leaves; keyed-list items are members in their own right.
 */
export function fieldSet(config: unknown): Set<string> {
  const out = new Set<string>();
  walk(config, [], [], out);
  return out;
}

const SEP = '\u0000';

function walk(v: unknown, segs: string[], path: string[], out: Set<string>): void {
  if (!isObj(v) || Object.keys(v).length === 0) {
    out.add(segs.join(SEP));
    return;
  }
  for (const [k, child] of Object.entries(v)) {
    if (segs.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
    if (
      segs.length === 1 &&
      segs[0] === 'f:metadata' &&
      ['name', 'namespace', 'managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation'].includes(k)
    )
      continue;
    const s = [...segs, `f:${k}`];
    const p = [...path, k];
    if (Array.isArray(child)) {
      const strategy = listStrategy(p);
      if (strategy && 'mergeKey' in strategy) {
        for (const item of child) {
          if (!isObj(item)) continue;
          const itemSegs = [...s, `k:${JSON.stringify({ [strategy.mergeKey]: item[strategy.mergeKey] })}`];
          out.add(itemSegs.join(SEP));
          const { [strategy.mergeKey]: _key, ...rest } = item;
          if (Object.keys(rest).length > 0) walk(rest, itemSegs, [...p, '[]'], out);
        }
      } else if (strategy) {
        for (const item of child) out.add([...s, `v:${JSON.stringify(item)}`].join(SEP));
      } else out.add(s.join(SEP));
    } else walk(child, s, p, out);
  }
}

/** fieldsV1 nesting of a field set (what `kubectl get --show-managed-fields` prints). */
export function toFieldsV1(set: Set<string>): Obj {
  const root: Obj = {};
  for (const path of [...set].sort()) {
    if (path === '') continue;
    let cur = root;
    for (const seg of path.split(SEP)) {
      if (!isObj(cur[seg])) cur[seg] = {};
      cur = cur[seg] as Obj;
    }
    if (path.split(SEP).pop()?.startsWith('k:')) cur['.'] = {};
  }
  return root;
}

export function fromFieldsV1(f: unknown, segs: string[] = [], out = new Set<string>()): Set<string> {
  if (!isObj(f)) return out;
  const keys = Object.keys(f);
  if (keys.length === 0 && segs.length > 0) out.add(segs.join(SEP));
  for (const k of keys) {
    if (k === '.') {
      out.add(segs.join(SEP));
      continue;
    }
    fromFieldsV1(f[k], [...segs, k], out);
  }
  return out;
}

function readPath(o: unknown, path: string): unknown {
  let cur = o;
  for (const seg of path.split(SEP)) {
    if (seg.startsWith('f:')) cur = isObj(cur) ? cur[seg.slice(2)] : undefined;
    else if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Obj;
      const [[kname, kval]] = Object.entries(key);
      cur = Array.isArray(cur) ? cur.find((x) => isObj(x) && x[kname] === kval) : undefined;
    } else if (seg.startsWith('v:')) {
      const val: unknown = JSON.parse(seg.slice(2));
      cur = Array.isArray(cur) && cur.some((x) => isDeepStrictEqual(x, val)) ? val : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes one field path from an object, pruning maps and lists that the removal left empty. */
function removePath(o: Obj, segs: string[]): void {
  const [seg, ...rest] = segs;
  if (seg === undefined) return;
  if (seg.startsWith('f:')) {
    const k = seg.slice(2);
    if (rest.length === 0) {
      delete o[k];
      return;
    }
    const child = o[k];
    if (isObj(child)) {
      removePath(child, rest);
      if (Object.keys(child).length === 0) delete o[k];
    } else if (Array.isArray(child)) {
      removeFromList(child, rest);
      if (child.length === 0) delete o[k];
    }
  }
}

function removeFromList(list: unknown[], segs: string[]): void {
  const [seg, ...rest] = segs;
  if (seg.startsWith('v:')) {
    const val: unknown = JSON.parse(seg.slice(2));
    const i = list.findIndex((x) => isDeepStrictEqual(x, val));
    if (i >= 0) list.splice(i, 1);
    return;
  }
  if (!seg.startsWith('k:')) return;
  const [[kname, kval]] = Object.entries(JSON.parse(seg.slice(2)) as Obj);
  const i = list.findIndex((x) => isObj(x) && x[kname] === kval);
  if (i < 0) return;
  if (rest.length === 0) list.splice(i, 1);
  else removePath(list[i] as Obj, rest);
}

/** `.spec.template.spec.containers[name="web"].image`, the way the real server names a conflicting field. */
function fieldPathText(path: string): string {
  return path
    .split(SEP)
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('k:'))
        return `[${Object.entries(JSON.parse(seg.slice(2)) as Obj)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      return `[=${seg.slice(2)}]`;
    })
    .join('');
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined = create). Fields the
 * manager applied last time and no longer applies are removed unless another manager owns
 * them; a field another manager (Apply or Update, e.g. "kubectl-create", "helm") owns with a
 * different value is a 409 Conflict unless `force`, which takes the field over.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  config: KubeObject,
  manager: string,
  force: boolean,
  now: string,
): ApplyResult {
  const entries = ((live?.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((e) => clone(e));
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  const previous = mine ? fromFieldsV1(mine.fieldsV1) : new Set<string>();
  const applied = fieldSet(config);
  const others = entries.filter((e) => e !== mine && !e.subresource);

  if (live) {
    const conflicts: Array<{ manager: string; field: string; apiVersion: string }> = [];
    for (const other of others) {
      const theirs = fromFieldsV1(other.fieldsV1);
      for (const f of applied) {
        // owning a list item's membership never conflicts; its fields do
        if (f.split(SEP).pop()?.startsWith('k:')) continue;
        if (theirs.has(f) && !isDeepStrictEqual(readPath(config, f), readPath(live, f)))
          conflicts.push({ manager: other.manager, field: f, apiVersion: other.apiVersion });
      }
    }
    if (conflicts.length > 0 && !force) {
      const shown = conflicts.map(
        (c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${fieldPathText(c.field)}`,
      );
      throw new ApiError(
        409,
        'Conflict',
        `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${shown.join('\n')}`,
        {
          causes: conflicts.map((c) => ({
            reason: 'FieldManagerConflict',
            message: `conflict with "${c.manager}"`,
            field: c.field,
          })),
        },
      );
    }
    if (force) {
      for (const other of others) {
        const theirs = fromFieldsV1(other.fieldsV1);
        for (const f of applied) theirs.delete(f);
        other.fieldsV1 = toFieldsV1(theirs);
      }
    }
  }

  const base: Obj = live ? clone(live) : {};
  const ownedByOthers = new Set<string>();
  for (const other of others) for (const f of fromFieldsV1(other.fieldsV1)) ownedByOthers.add(f);
  const dropped = [...previous].filter((f) => !applied.has(f) && !ownedByOthers.has(f) && f !== '');
  // deepest first, so an item's fields go before the item itself
  dropped.sort((a, b) => b.split(SEP).length - a.split(SEP).length);
  for (const f of dropped) {
    const segs = f.split(SEP);
    // a dropped keyed item whose parts another manager still owns stays
    if ([...ownedByOthers].some((o) => o.startsWith(f + SEP))) continue;
    removePath(base, segs);
  }

  const { metadata: cfgMeta, ...cfgRest } = config;
  const {
    name: _n,
    namespace: _ns,
    managedFields: _mf,
    resourceVersion: _rv,
    ...metaRest
  } = cfgMeta ?? ({} as KubeObject['metadata']);
  const merged = strategicMerge(base, { ...cfgRest, metadata: metaRest }) as KubeObject;
  merged.metadata = { ...(merged.metadata ?? {}), name: config.metadata.name };
  if (config.metadata.namespace) merged.metadata.namespace = config.metadata.namespace;

  const fieldsV1 = toFieldsV1(applied);
  const kept = entries.filter((e) => e !== mine && Object.keys(e.fieldsV1).length > 0);
  const sameFields = mine && isDeepStrictEqual(mine.fieldsV1, fieldsV1) && mine.apiVersion === config.apiVersion;
  const entry: ManagedFieldsEntry = sameFields
    ? mine
    : { manager, operation: 'Apply', apiVersion: config.apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1 };
  const order = entries.map((e) => (e === mine ? entry : e)).filter((e) => e === entry || kept.includes(e));
  const managedFields = mine ? order : [...kept, entry];
  return { object: merged, managedFields };
}

/**
 * managedFields after a non-apply write (create, update, patch) by `manager`: it owns every field
 * it set or changed (operation Update), and other managers lose those fields, as the real
 * server's field manager records them. Unchanged entries keep their time, so a no-op write
 * stays a no-op.
 */
export function recordUpdate(
  entries: ManagedFieldsEntry[] | undefined,
  manager: string,
  before: KubeObject | undefined,
  after: KubeObject,
  now: string,
): ManagedFieldsEntry[] {
  const strip = (o: KubeObject | undefined): unknown => {
    if (!o) return undefined;
    const { status: _s, metadata, ...rest } = o;
    const {
      managedFields: _m,
      resourceVersion: _r,
      uid: _u,
      creationTimestamp: _c,
      generation: _g,
      deletionTimestamp: _d,
      ...meta
    } = metadata;
    return { ...rest, metadata: meta };
  };
  const old = strip(before);
  const next = strip(after);
  const changed = new Set(
    [...fieldSet(next)].filter((f) => f !== '' && !isDeepStrictEqual(readPath(next, f), readPath(old, f))),
  );
  const out: ManagedFieldsEntry[] = [];
  let mine: ManagedFieldsEntry | undefined;
  for (const e of (entries ?? []).map((x) => clone(x))) {
    const set = fromFieldsV1(e.fieldsV1);
    if (e.manager === manager && e.operation === 'Update' && !e.subresource) {
      mine = e;
      continue;
    }
    let touched = false;
    for (const f of changed) if (set.delete(f)) touched = true;
    if (touched) e.fieldsV1 = toFieldsV1(set);
    if (set.size > 0) out.push(e);
  }
  if (changed.size === 0) return mine ? [...out, mine] : out;
  const owned = mine ? fromFieldsV1(mine.fieldsV1) : new Set<string>();
  for (const f of changed) owned.add(f);
  out.push({
    manager,
    operation: 'Update',
    apiVersion: after.apiVersion,
    time: now,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(owned),
  });
  return out;
}
