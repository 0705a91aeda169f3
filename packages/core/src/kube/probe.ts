/**
 * The HTTP readiness probe: GET the preview's URL until it answers with an expected status,
 * backing off from about 1 s to 5 s, riding through what the first minute of a new host really
 * looks like — NXDOMAIN while DNS propagates, connection refused, 503 from an ingress that has
 * not registered the backend — and naming the last of them when time runs out.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Clock, systemClock } from '../clock.js';
import { InputError } from '../runtime/errors.js';

export interface StatusRange {
  min: number;
  max: number;
}

/** `200-399`, `200,204`, `200-299,301`: each code or range within 100-599. */
export function parseExpectStatus(input: string, raw: string): StatusRange[] {
  const accepted = 'must list HTTP status codes or ranges like 200-399 or 200,204 (100-599)';
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new InputError(input, raw, accepted);
  return parts.map((p) => {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(p);
    if (!m) throw new InputError(input, raw, accepted);
    const min = Number(m[1]);
    const max = Number(m[2] ?? m[1]);
    if (min < 100 || max > 599 || min > max) throw new InputError(input, raw, accepted);
    return { min, max };
  });
}

export function statusExpected(status: number, ranges: StatusRange[]): boolean {
  return ranges.some((r) => status >= r.min && status <= r.max);
}

/** `Name: value` lines (blank and `#` lines skipped). */
export function parseHeaders(input: string, raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  raw.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s?(.*)$/.exec(line);
    // The value is never echoed: a header line may carry a bypass secret.
    if (!m) throw new InputError(input, `line ${i + 1}`, 'must hold one "Name: value" header per line');
    out[m[1]!] = m[2]!.trim();
  });
  return out;
}

export type AttemptOutcome =
  | { ok: true; status: number }
  | {
      ok: false;
      kind: 'nxdomain' | 'refused' | 'reset' | 'timeout' | 'status' | 'tls' | 'other';
      detail: string;
      status?: number;
    };

/** A human name for one failed attempt. */
export function describeAttempt(o: AttemptOutcome, host: string): string {
  if (o.ok) return `HTTP ${o.status}`;
  switch (o.kind) {
    case 'nxdomain':
      return `NXDOMAIN: ${host} does not resolve (DNS not propagated yet?)`;
    case 'refused':
      return `connection refused by ${host}`;
    case 'reset':
      return `connection reset by ${host}`;
    case 'timeout':
      return `no answer from ${host} within the request timeout`;
    case 'status':
      return `HTTP ${o.status}${o.detail ? ` ${o.detail}` : ''}`;
    case 'tls':
      return `TLS error: ${o.detail}`;
    default:
      return o.detail;
  }
}

function classify(err: any): AttemptOutcome {
  const code = String(err?.code ?? '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return { ok: false, kind: 'nxdomain', detail: code };
  if (code === 'ECONNREFUSED') return { ok: false, kind: 'refused', detail: code };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET')
    return { ok: false, kind: 'reset', detail: code };
  if (code === 'ETIMEDOUT' || code === 'PROBE_TIMEOUT') return { ok: false, kind: 'timeout', detail: code };
  if (/CERT|SSL|TLS/.test(code)) return { ok: false, kind: 'tls', detail: code };
  return { ok: false, kind: 'other', detail: String(err?.message ?? err) };
}

/** One GET; never throws. The body is drained and discarded. */
export function probeOnce(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
  expect: StatusRange[],
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const done = (o: AttemptOutcome): void => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const req = send(
      url,
      { method: 'GET', headers: { 'user-agent': 'preview-fleet-wait-ready', ...headers }, timeout: timeoutMs },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        res.on('end', () =>
          done(
            statusExpected(status, expect)
              ? { ok: true, status }
              : { ok: false, kind: 'status', status, detail: res.statusMessage ?? '' },
          ),
        );
        res.on('error', (e) => done(classify(e)));
      },
    );
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error('probe timeout'), { code: 'PROBE_TIMEOUT' }));
    });
    req.on('error', (e) => done(classify(e)));
    req.end();
  });
}

export interface ProbeOptions {
  url: URL;
  headers?: Record<string, string>;
  expect: StatusRange[];
  /** Give up after this long (measured on `clock`). */
  timeoutMs: number;
  clock?: Clock;
  /** First wait (default 1 s), doubled each attempt up to `maxDelayMs` (default 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** One request's own timeout (default 10 s, never past the deadline). */
  requestTimeoutMs?: number;
  /** The attempt itself (tests may replace it; production uses probeOnce). */
  attempt?: (
    url: URL,
    headers: Record<string, string>,
    timeoutMs: number,
    expect: StatusRange[],
  ) => Promise<AttemptOutcome>;
  onAttempt?: (n: number, outcome: AttemptOutcome) => void;
}

export interface ProbeResult {
  ready: boolean;
  attempts: number;
  elapsedMs: number;
  status?: number;
  /** The last failure, described (when not ready). */
  last?: string;
  /** Count of each kind of failure seen (nxdomain, refused, status, …). */
  seen: Record<string, number>;
}

/** Probes until an expected status or the deadline; the schedule is 1 s, 2 s, 4 s, 5 s, 5 s, … */
export async function probeUntilReady(o: ProbeOptions): Promise<ProbeResult> {
  const clock = o.clock ?? systemClock;
  const attempt = o.attempt ?? probeOnce;
  const start = clock.now();
  const deadline = start + o.timeoutMs;
  let delay = o.initialDelayMs ?? 1000;
  const maxDelay = o.maxDelayMs ?? 5000;
  const seen: Record<string, number> = {};
  for (let n = 1; ; n++) {
    // The last attempt at the deadline still gets a fair chance (2 s) to answer.
    const budget = Math.min(o.requestTimeoutMs ?? 10_000, Math.max(2000, deadline - clock.now()));
    const outcome = await attempt(o.url, o.headers ?? {}, budget, o.expect);
    o.onAttempt?.(n, outcome);
    if (outcome.ok) return { ready: true, attempts: n, elapsedMs: clock.now() - start, status: outcome.status, seen };
    seen[outcome.kind] = (seen[outcome.kind] ?? 0) + 1;
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      return {
        ready: false,
        attempts: n,
        elapsedMs: clock.now() - start,
        status: outcome.status,
        last: describeAttempt(outcome, o.url.hostname),
        seen,
      };
    }
    await clock.sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, maxDelay);
  }
}
