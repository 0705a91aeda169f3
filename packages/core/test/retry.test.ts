import { describe, expect, it } from 'vitest';
import { classifyTransient, FakeClock, parseRetryAfter, retry } from '../src/index.js';

function httpError(status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status, response: { headers } });
}

describe('retry', () => {
  it('classifies transient failures', () => {
    expect(classifyTransient(httpError(429)).transient).toBe(true);
    expect(classifyTransient(httpError(503)).transient).toBe(true);
    expect(classifyTransient(httpError(403, { 'retry-after': '7' }))).toEqual({ transient: true, retryAfterMs: 7000 });
    expect(classifyTransient(httpError(403)).transient).toBe(false);
    expect(classifyTransient(httpError(404)).transient).toBe(false);
    expect(classifyTransient(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).transient).toBe(true);
    expect(
      classifyTransient(new Error('fetch failed', { cause: Object.assign(new Error('dns'), { code: 'EAI_AGAIN' }) }))
        .transient,
    ).toBe(true);
    expect(classifyTransient(new Error('boom')).transient).toBe(false);
  });

  it('backs off with full jitter inside exponential caps and succeeds', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 4) throw httpError(500);
        return 'ok';
      },
      { clock, random: () => 0.999, baseMs: 100, maxMs: 250 },
    );
    expect(result).toBe('ok');
    expect(clock.sleeps).toEqual([99, 199, 249]);
  });

  it('honours Retry-After over the backoff', async () => {
    const clock = new FakeClock();
    let calls = 0;
    await retry(
      async () => {
        if (calls++ === 0) throw httpError(429, { 'retry-after': '3' });
      },
      { clock },
    );
    expect(clock.sleeps).toEqual([3000]);
  });

  it('stops at the attempt limit, the deadline, and on a final error', async () => {
    const clock = new FakeClock();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw httpError(502);
        },
        { clock, attempts: 3, random: () => 0.5 },
      ),
    ).rejects.toThrow('HTTP 502');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw httpError(503, { 'retry-after': '60' });
        },
        { clock, deadlineMs: 30_000 },
      ),
    ).rejects.toThrow('HTTP 503');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw httpError(400);
        },
        { clock },
      ),
    ).rejects.toThrow('HTTP 400');
    expect(calls).toBe(1);
  });

  it('parses Retry-After dates', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
