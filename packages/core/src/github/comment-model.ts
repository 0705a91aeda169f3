/**
 * The sticky comment's data: one section per service, each carrying its facts as hidden JSON so
 * the body can be parsed back, merged with other comments' sections and re-rendered.
 *
 * Ordering ("newer wins"): GitHub run ids grow with time across the whole repository, and a run
 * for a newer head commit is always triggered after the run for an older one, so a section is
 * newer than another when its (runId, runAttempt, updatedAt) is greater, compared in that order.
 * A re-run of an old run keeps its run id, so it never overwrites a later run (it builds an older
 * commit). Full ties fall back to the canonical JSON text, so merging is a semilattice join:
 * commutative, associative and idempotent, whatever order comments are read in.
 */

export const PREVIEW_STATES = [
  'queued',
  'building',
  'deploying',
  'ready',
  'sleeping',
  'failed',
  'tearing-down',
  'destroyed',
  'skipped',
] as const;
export type PreviewState = (typeof PREVIEW_STATES)[number];

/** The first line of every comment we own; a comment is ours only when its body starts with it. */
export const COMMENT_MARKER = '<!-- preview-fleet:status v1 -->';
/** Prefix of the hidden per-service metadata comment. */
export const SECTION_MARKER = '<!-- preview-fleet:section ';

export interface ServiceSection {
  service: string;
  state: PreviewState;
  /** Preview URL (http/https). */
  url?: string;
  image?: string;
  namespace?: string;
  vaultUrl?: string;
  /** Head commit the run built. */
  sha?: string;
  runId: number;
  runAttempt: number;
  /** Link to the run's log. */
  runUrl?: string;
  /** ISO-8601 time of the update. */
  updatedAt: string;
  /** Markdown (e.g. diagnostics); shown collapsed. */
  details?: string;
  /** Plain text shown after the state label, e.g. how a sleeping preview wakes (`SLEEP_NOTES`). */
  stateNote?: string;
  /** The preview's hourly estimate from its requests, e.g. `≈ $0.021/h (0.25 vCPU, 0.5 GiB, 1 GiB storage)`. */
  cost?: string;
  /** Deployment environment and the head SHA's deployment in it: lets the next update skip the lookup. */
  environment?: string;
  deploymentId?: number;
  /** How the image came to be (issue 18): `built` by this run, or `reused` (its content tag was already pushed). */
  imageSource?: string;
}

const OPTIONAL_STRINGS = [
  'url',
  'image',
  'namespace',
  'vaultUrl',
  'sha',
  'runUrl',
  'details',
  'environment',
  'imageSource',
  'stateNote',
  'cost',
] as const;

/** How a sleeping preview wakes, shown after "💤 sleeping": the reaper's policy sleep, or KEDA's HTTP add-on. */
export const SLEEP_NOTES = {
  policy: 'push, comment `/preview wake` or re-add the label to wake it',
  keda: 'wakes on the first request',
} as const;

/** The section with only known keys, in a fixed order, empty optionals dropped. */
export function normalizeSection(s: ServiceSection): ServiceSection {
  const out: ServiceSection = {
    service: s.service,
    state: s.state,
    runId: s.runId,
    runAttempt: s.runAttempt,
    updatedAt: s.updatedAt,
  };
  for (const k of OPTIONAL_STRINGS) {
    const v = s[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  if (Number.isSafeInteger(s.deploymentId) && s.deploymentId! > 0) out.deploymentId = s.deploymentId;
  return out;
}

/** Canonical text of a section (stable key order): the last tie-breaker and the equality test. */
export function canonicalSection(s: ServiceSection): string {
  return JSON.stringify(normalizeSection(s));
}

/** < 0 when `a` is older than `b`, > 0 when newer, 0 only for identical sections. */
export function compareSections(a: ServiceSection, b: ServiceSection): number {
  if (a.runId !== b.runId) return a.runId < b.runId ? -1 : 1;
  if (a.runAttempt !== b.runAttempt) return a.runAttempt < b.runAttempt ? -1 : 1;
  const ta = Date.parse(a.updatedAt);
  const tb = Date.parse(b.updatedAt);
  if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return ta < tb ? -1 : 1;
  const ca = canonicalSection(a);
  const cb = canonicalSection(b);
  return ca === cb ? 0 : ca < cb ? -1 : 1;
}

/**
 * Merges section lists: per service the newest section wins (see the module comment). The
 * result is sorted by service name, so the rendered body depends only on the set of sections.
 */
export function mergeSections(...lists: ServiceSection[][]): ServiceSection[] {
  const best = new Map<string, ServiceSection>();
  for (const list of lists) {
    for (const raw of list) {
      const s = normalizeSection(raw);
      const cur = best.get(s.service);
      if (!cur || compareSections(s, cur) > 0) best.set(s.service, s);
    }
  }
  return [...best.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

export interface ApplyResult {
  sections: ServiceSection[];
  /** False when a newer section for the same service was already recorded (the update is stale). */
  applied: boolean;
  /** The section that stays for the update's service. */
  current: ServiceSection;
}

/**
 * Applies one update to what the comments hold. A retry of the same run and attempt that
 * changes nothing but the time counts as applied and leaves the stored section as it was, so
 * the body stays unchanged and no PATCH is sent.
 */
export function applyUpdate(existing: ServiceSection[], update: ServiceSection): ApplyResult {
  const merged = mergeSections(existing);
  const cur = merged.find((s) => s.service === update.service);
  if (cur && sameContent(cur, update)) return { sections: merged, applied: true, current: cur };
  const sections = mergeSections(merged, [update]);
  const current = sections.find((s) => s.service === update.service)!;
  return { sections, applied: canonicalSection(current) === canonicalSection(update), current };
}

/** Same run, attempt and facts; only `updatedAt` may differ. */
export function sameContent(a: ServiceSection, b: ServiceSection): boolean {
  return canonicalSection({ ...a, updatedAt: '' }) === canonicalSection({ ...b, updatedAt: '' });
}

/** JSON that can sit inside an HTML comment: `<`, `>` and `&` escaped, so `-->` never appears. */
export function encodeMeta(s: ServiceSection): string {
  return canonicalSection(s).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isState(v: unknown): v is PreviewState {
  return typeof v === 'string' && (PREVIEW_STATES as readonly string[]).includes(v);
}

/** A section from parsed JSON, or undefined when anything required is missing or mistyped. */
export function sectionFromJson(v: unknown): ServiceSection | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.service !== 'string' || o.service === '' || !isState(o.state)) return undefined;
  if (!Number.isSafeInteger(o.runId) || !Number.isSafeInteger(o.runAttempt) || typeof o.updatedAt !== 'string')
    return undefined;
  const s: ServiceSection = {
    service: o.service,
    state: o.state,
    runId: o.runId as number,
    runAttempt: o.runAttempt as number,
    updatedAt: o.updatedAt,
  };
  for (const k of OPTIONAL_STRINGS) if (typeof o[k] === 'string') s[k] = o[k] as string;
  if (typeof o.deploymentId === 'number') s.deploymentId = o.deploymentId;
  return normalizeSection(s);
}

/** True when the body is one of our status comments (the marker opens it). */
export function isStatusComment(body: string | null | undefined): boolean {
  return typeof body === 'string' && body.trimStart().startsWith(COMMENT_MARKER);
}

/** Every well-formed section in a body (metadata lines only); malformed metadata is skipped, never fatal. */
export function parseStatusComment(body: string): ServiceSection[] {
  const out: ServiceSection[] = [];
  for (const line of body.split('\n')) {
    if (!line.startsWith(SECTION_MARKER) || !line.endsWith(' -->')) continue;
    try {
      const s = sectionFromJson(JSON.parse(line.slice(SECTION_MARKER.length, -' -->'.length)));
      if (s) out.push(s);
    } catch {
      // Not our JSON (edited by hand): ignore this section.
    }
  }
  return mergeSections(out);
}
