import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { parseExpectStatus, parseHeaders, probeUntilReady, statusExpected } from '../../src/kube/index.js';

let server: Server;
let base: string;
let answers: number[] = [];
const seenHeaders: Array<string | undefined> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHeaders.push(req.headers['x-preview-bypass'] as string | undefined);
    const status = answers.shift() ?? 200;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no backend');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ok200 = parseExpectStatus('expect-status', '200-399');

describe('HTTP readiness probe (real local server, FakeClock)', () => {
  it('rides through 503 until 200, backing off 1 s, 2 s, 4 s, 5 s', async () => {
    answers = [503, 503, 503, 503, 200];
    const clock = new FakeClock();
    const r = await probeUntilReady({
      url: new URL(`${base}/healthz`),
      headers: { 'X-Preview-Bypass': 'b-secret' },
      expect: ok200,
      timeoutMs: 60_000,
      clock,
    });
    expect(r).toMatchObject({ ready: true, attempts: 5, status: 200, seen: { status: 4 } });
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 5000]);
    expect(r.elapsedMs).toBe(12_000);
    expect(seenHeaders.slice(-5)).toEqual(Array(5).fill('b-secret'));
  });

  it('reports NXDOMAIN clearly when the host never resolves, stopping at the timeout', async () => {
    const clock = new FakeClock();
    const r = await probeUntilReady({
      url: new URL('http://app-pr-12.preview.invalid/'),
      expect: ok200,
      timeoutMs: 20_000,
      clock,
    });
    expect(r.ready).toBe(false);
    expect(r.last).toBe('NXDOMAIN: app-pr-12.preview.invalid does not resolve (DNS not propagated yet?)');
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 5000, 5000, 3000]);
    expect(r.attempts).toBe(7);
    expect(r.seen).toEqual({ nxdomain: 7 });
  });

  it('rides through connection refused', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const clock = new FakeClock();
    const r = await probeUntilReady({
      url: new URL(`http://127.0.0.1:${port}/`),
      expect: ok200,
      timeoutMs: 3000,
      clock,
    });
    expect(r).toMatchObject({ ready: false, seen: { refused: 3 } });
    expect(r.last).toBe('connection refused by 127.0.0.1');
  });

  it('a status outside expect-status is not ready; the last one is named', async () => {
    answers = [404, 404, 404];
    const r = await probeUntilReady({
      url: new URL(`${base}/missing`),
      expect: parseExpectStatus('expect-status', '200'),
      timeoutMs: 3000,
      clock: new FakeClock(),
    });
    expect(r).toMatchObject({ ready: false, status: 404, last: 'HTTP 404 Not Found' });
  });
});

describe('probe inputs', () => {
  it('expect-status: codes and ranges', () => {
    const ranges = parseExpectStatus('expect-status', '200-299, 301,404');
    expect([200, 299, 301, 404].map((s) => statusExpected(s, ranges))).toEqual([true, true, true, true]);
    expect([300, 302, 500].map((s) => statusExpected(s, ranges))).toEqual([false, false, false]);
  });

  it.each(['', 'ok', '200-', '399-200', '99', '200-600', '2xx'])('refuses expect-status %j', (raw) => {
    expect(() => parseExpectStatus('expect-status', raw)).toThrow(/Input "expect-status" must list HTTP status codes/);
  });

  it('headers: Name: value lines; a bad line never echoes its value', () => {
    expect(parseHeaders('headers', 'X-Preview-Bypass: s3cr3t:with:colons\n\nAuthorization:Bearer t')).toEqual({
      'X-Preview-Bypass': 's3cr3t:with:colons',
      Authorization: 'Bearer t',
    });
    let message = '';
    try {
      parseHeaders('headers', 'X-Ok: 1\nthis is s3cr3t');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('Input "headers" must hold one "Name: value" header per line, got "line 2"');
  });
});
