/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"),
 * bounded by attempts and a deadline, honouring Retry-After. For Vault, the registry and the kube
 * tools; GitHub calls use Octokit's throttling/retry plugins and the AWS SDK its own strategy.
 */
import { type Clock, systemClock } from './clock.js';

export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  attempts?: number;
  /** First backoff cap in ms (default 500). */
  baseMs?: number;
  /** Largest backoff cap in ms (default 20 s). */
  maxMs?: number;
  /** Give up when the next wait would end after this many ms from the start. */
  deadlineMs?: number;
  clock?: Clock;
  /** Uniform [0,1) source for the jitter (inject for deterministic tests). */
  random?: () => number;
  /** Decides whether an error is worth another attempt (default: classifyTransient). */
  classify?: (err: unknown) => Transience;
  onRetry?: (info: { attempt: number; waitMs: number; error: unknown }) => void;
}

export interface Transience {
  transient: boolean;
  /** A server-requested wait (Retry-After) that overrides the backoff. */
  retryAfterMs?: number;
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET']);

/** Parses a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function pick(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

function headerOf(err: unknown, name: string): string | undefined {
  const sources = [pick(err, 'headers'), pick(pick(err, 'response'), 'headers')];
  for (const h of sources) {
    if (h && typeof (h as { get?: unknown }).get === 'function') {
      const v = (h as { get(n: string): string | null }).get(name);
      if (v) return v;
    } else if (h && typeof h === 'object') {
      const v = (h as Record<string, unknown>)[name] ?? (h as Record<string, unknown>)[name.toLowerCase()];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    }
  }
  return undefined;
}

/**
 * Transient: HTTP 429 and 5xx, GitHub's secondary rate limit (403 with retry-after), and
 * network errors ECONNRESET/ETIMEDOUT/EAI_AGAIN/ECONNREFUSED. Everything else is final.
 */
export function classifyTransient(err: unknown): Transience {
  const status = Number(
    pick(err, 'status') ??
      pick(err, 'statusCode') ??
      pick(pick(err, 'response'), 'statusCode') ??
      pick(pick(err, 'response'), 'status'),
  );
  const retryAfterMs = parseRetryAfter(headerOf(err, 'retry-after'));
  if (status === 429 || (status >= 500 && status <= 599)) return { transient: true, retryAfterMs };
  if (status === 403 && retryAfterMs !== undefined) return { transient: true, retryAfterMs };
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = pick(e, 'code');
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return { transient: true };
    e = pick(e, 'cause');
  }
  return { transient: false };
}

/** Runs `fn` until it succeeds, a final error occurs, or attempts/deadline run out. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 5;
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 20_000;
  const random = options.random ?? Math.random;
  const classify = options.classify ?? classifyTransient;
  const start = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const t = classify(err);
      if (!t.transient || attempt >= attempts) throw err;
      const cap = Math.min(max, base * 2 ** (attempt - 1));
      const waitMs = t.retryAfterMs ?? Math.floor(random() * cap);
      if (options.deadlineMs !== undefined && clock.now() - start + waitMs > options.deadlineMs) throw err;
      options.onRetry?.({ attempt, waitMs, error: err });
      await clock.sleep(waitMs);
    }
  }
}
