/**
 * Pure parsers from an input's raw text to a typed value. Each error names the input, the value
 * and what is accepted. The readers in inputs.ts feed them the runner's `INPUT_*` values.
 */
import { InputError } from './errors.js';

/** YAML 1.2 core schema booleans only, as the runner's own getBooleanInput accepts. */
const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

export function parseBoolean(input: string, raw: string): boolean {
  const v = raw.trim();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InputError(input, raw, 'must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE');
}

export function parseInteger(input: string, raw: string, bounds: { min?: number; max?: number } = {}): number {
  const v = raw.trim();
  const range = describeRange(bounds);
  if (!/^-?\d+$/.test(v)) throw new InputError(input, raw, `must be a whole number${range}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InputError(input, raw, `must be a whole number${range}`);
  if ((bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
    throw new InputError(input, raw, `must be a whole number${range}`);
  }
  return n;
}

function describeRange({ min, max }: { min?: number; max?: number }): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const DAY_MS = 86_400_000;

/** Bounds of a duration input, in milliseconds. */
export interface DurationBounds {
  minMs?: number;
  maxMs?: number;
}

/**
 * No duration input may exceed this, whatever its own bounds say: a year keeps every
 * `now + duration` a valid Date (JavaScript's limit is ±8.64e15 ms from 1970) and a valid timer.
 */
export const DURATION_MAX_MS = 366 * DAY_MS;

/** The bounds every action gives its duration inputs, so the same input name means the same range everywhere. */
export const DURATION_BOUNDS = {
  /** How long a preview lives without a new deploy (deploy-helm, seed-vault, reap-orphans). */
  ttl: { minMs: 60_000, maxMs: 90 * DAY_MS },
  /** How long before expiry the reaper warns. */
  warnBefore: { minMs: 0, maxMs: 30 * DAY_MS },
  /** A step's whole-run `timeout`. */
  stepTimeout: { minMs: 1000, maxMs: 6 * 3_600_000 },
  /** One request to Vault, the Kubernetes API, ECR or GitHub. */
  requestTimeout: { minMs: 1000, maxMs: 10 * 60_000 },
} as const satisfies Record<string, Required<DurationBounds>>;

/**
 * Durations like `90s`, `5m`, `1h30m`, `2d`, `500ms`; returns milliseconds. Always bounded: at
 * most `maxMs` when given and never above DURATION_MAX_MS, so no later `new Date(now + ttl)` can fail.
 */
export function parseDuration(input: string, raw: string, bounds: DurationBounds = {}): number {
  const v = raw.trim();
  const maxMs = Math.min(bounds.maxMs ?? DURATION_MAX_MS, DURATION_MAX_MS);
  const accepted = `must be a duration like 90s, 5m or 1h30m (units d, h, m, s, ms) of at most ${formatDuration(maxMs)}`;
  if (/^\d+$/.test(v)) throw new InputError(input, raw, accepted, `Add a unit, e.g. "${v}s" or "${v}m"`);
  const re = /(\d+)(ms|d|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (v.length === 0 || matched !== v.length) throw new InputError(input, raw, accepted);
  if (bounds.minMs !== undefined && total < bounds.minMs) {
    throw new InputError(input, raw, `must be a duration of at least ${formatDuration(bounds.minMs)}`);
  }
  // `total` may be Infinity or imprecise for absurd digit runs; either way it is above the cap.
  if (!Number.isSafeInteger(total) || total > maxMs) {
    throw new InputError(input, raw, `must be a duration of at most ${formatDuration(maxMs)}`);
  }
  return total;
}

/** `5400000` → `1h30m`; the inverse of parseDuration for messages and summaries. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

export function parseEnum<T extends string>(input: string, raw: string, allowed: readonly T[]): T {
  const v = raw.trim();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new InputError(input, raw, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
}

/** A list separated by newlines or commas; blanks dropped, items trimmed. */
export function parseList(_input: string, raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Multiline `KEY=value` pairs. The first `=` splits; the value is kept verbatim (it may hold `=`,
 * commas or quotes). Blank lines and lines starting with `#` are skipped.
 */
export function parseKeyValueMap(
  input: string,
  raw: string,
  keyPattern = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/,
): Map<string, string> {
  const out = new Map<string, string>();
  const lines = raw.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new InputError(input, line, `must hold one KEY=value pair per line (line ${i + 1} has no KEY=)`);
    }
    const key = line.slice(0, eq).trim();
    if (!keyPattern.test(key)) {
      throw new InputError(input, line, `line ${i + 1} must start with a key matching ${keyPattern.source}`);
    }
    if (out.has(key)) throw new InputError(input, line, `must not repeat a key (line ${i + 1} repeats "${key}")`);
    out.set(key, line.slice(eq + 1));
  });
  return out;
}

/** An http(s) URL; anything else is an InputError naming the input. */
export function parseUrl(input: string, raw: string): URL {
  const v = raw.trim();
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new InputError(input, raw, 'must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(input, raw, 'must be an http:// or https:// URL');
  }
  return url;
}

/** A positive PR number. */
export function parsePrNumber(input: string, raw: string): number {
  return parseInteger(input, raw, { min: 1 });
}
