import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DURATION_BOUNDS, DURATION_MAX_MS, InputError, formatDuration, parseDuration } from '../src/index.js';

const unit = fc.constantFrom('d', 'h', 'm', 's', 'ms');
const term = fc.tuple(fc.nat({ max: 10 ** 12 }), unit).map(([n, u]) => `${n}${u}`);
const anyDuration = fc.array(term, { minLength: 1, maxLength: 4 }).map((t) => t.join(''));

function rejection(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseDuration is always bounded (issue 14 item 11)', () => {
  it('any well-formed duration either parses within its bounds or is an InputError naming the input', () => {
    fc.assert(
      fc.property(anyDuration, fc.constantFrom(...Object.entries(DURATION_BOUNDS)), (raw, [, bounds]) => {
        let ms: number;
        try {
          ms = parseDuration('ttl', raw, bounds);
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          expect((err as InputError).message).toMatch(/^Input "ttl" must be a duration/);
          return;
        }
        expect(ms).toBeGreaterThanOrEqual(bounds.minMs);
        expect(ms).toBeLessThanOrEqual(bounds.maxMs);
        // Whatever passes can be added to any plausible clock and still be a Date.
        expect(new Date(Date.UTC(2100, 0) + ms).toISOString()).toMatch(/^2\d{3}-/);
      }),
    );
  });

  it('without bounds a duration still never exceeds DURATION_MAX_MS', () => {
    fc.assert(
      fc.property(anyDuration, (raw) => {
        try {
          expect(parseDuration('timeout', raw)).toBeLessThanOrEqual(DURATION_MAX_MS);
        } catch (err) {
          expect((err as InputError).input).toBe('timeout');
        }
      }),
    );
    expect(parseDuration('x', formatDuration(DURATION_MAX_MS))).toBe(DURATION_MAX_MS);
  });

  it("the review's ttl 300000000d is refused with the maximum named, and absurd digit runs too", () => {
    const e = rejection(() => parseDuration('ttl', '300000000d', DURATION_BOUNDS.ttl));
    expect(e.message).toBe('Input "ttl" must be a duration of at most 90d, got "300000000d"');
    expect(rejection(() => parseDuration('ttl', `${'9'.repeat(400)}ms`, DURATION_BOUNDS.ttl)).message).toContain(
      'at most 90d',
    );
    expect(rejection(() => parseDuration('warn-before', '31d', DURATION_BOUNDS.warnBefore)).message).toContain(
      'at most 30d',
    );
    expect(rejection(() => parseDuration('timeout', '6h1s', DURATION_BOUNDS.stepTimeout)).message).toContain(
      'at most 6h',
    );
  });

  it('the bounds themselves parse: the edges are accepted', () => {
    for (const b of Object.values(DURATION_BOUNDS)) {
      expect(parseDuration('x', formatDuration(b.maxMs), b)).toBe(b.maxMs);
      if (b.minMs > 0) expect(parseDuration('x', formatDuration(b.minMs), b)).toBe(b.minMs);
    }
  });
});
