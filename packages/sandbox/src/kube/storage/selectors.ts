/**
 * Label and field selectors: parsing `?labelSelector=` / `?fieldSelector=` and matching objects.
 */
import { badRequest } from '../server/errors.js';
import type { KubeObject } from './store.js';

export type LabelRequirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!exists' };

/** A parsed selector; an empty list matches everything. */
export type LabelSelector = LabelRequirement[];

/**
 * Parses the label selector grammar of `?labelSelector=`: `a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated (AND). `a!=b` matches objects
 * without `a` too, as the real server does.
 */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  const out: LabelSelector = [];
  if (!text) return out;
  for (const part of splitTopLevel(text)) {
    const s = part.trim();
    if (!s) continue;
    let m = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(s);
    if (m) {
      out.push({
        key: checkKey(m[1]),
        op: m[2] as 'in' | 'notin',
        values: m[3]
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== ''),
      });
      continue;
    }
    m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(s);
    if (m) {
      out.push({ key: checkKey(m[1]), op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
      continue;
    }
    m = /^(!?)\s*([^\s!=()]+)$/.exec(s);
    if (m) {
      out.push({ key: checkKey(m[2]), op: m[1] ? '!exists' : 'exists' });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${s}', expected: in, notin, =, ==, !=, gt, lt`);
  }
  return out;
}

function checkKey(k: string): string {
  if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) {
    throw badRequest(`unable to parse requirement: invalid label key "${k}"`);
  }
  return k;
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
  });
}

export interface FieldRequirement {
  path: string;
  op: '=' | '!=';
  value: string;
}

/** Fields the real server lets clients select on for (almost) every kind, plus the per-kind ones we serve. */
const FIELD_PATHS =
  /^(metadata\.name|metadata\.namespace|type|reason|source|status\.phase|spec\.nodeName|involvedObject\.[A-Za-z.]+)$/;

/** Parses `?fieldSelector=` (`a=b`, `a==b`, `a!=b`, comma-separated). */
export function parseFieldSelector(text: string | undefined): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (!text) return out;
  for (const part of text.split(',')) {
    const s = part.trim();
    if (!s) continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(s);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${s}'`);
    const path = m[1].trim();
    if (!FIELD_PATHS.test(path)) {
      throw badRequest(`"${path}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    out.push({ path, op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() });
  }
  return out;
}

export function matchesFields(sel: FieldRequirement[], o: KubeObject): boolean {
  return sel.every((r) => {
    const v = fieldValue(o, r.path);
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}

function fieldValue(o: KubeObject, path: string): string {
  let cur: unknown = o;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** One compiled filter for list and watch. */
export function objectFilter(labelSelector?: string, fieldSelector?: string): (o: KubeObject) => boolean {
  const ls = parseLabelSelector(labelSelector);
  const fs = parseFieldSelector(fieldSelector);
  return (o) => matchesLabels(ls, o.metadata.labels) && matchesFields(fs, o);
}
