import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMENT_BODY_LIMIT,
  COMMENT_MARKER,
  PREVIEW_STATES,
  SLEEP_NOTES,
  applyUpdate,
  compareSections,
  isStatusComment,
  mergeSections,
  normalizeSection,
  parseStatusComment,
  renderStatusComment,
  renderStatusTable,
  truncateDetails,
  type ServiceSection,
} from '../../src/github/index.js';

const ctx = { serverUrl: 'https://github.com', repository: 'acme/web' };
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const base = (over: Partial<ServiceSection> = {}): ServiceSection => ({
  service: 'app',
  state: 'ready',
  url: 'https://app-pr-12.preview.example.com',
  image: '123.dkr.ecr.eu-west-1.amazonaws.com/app-preview-12:preview-abc',
  namespace: 'preview-pr-12',
  vaultUrl: 'https://vault.example.com/ui/vault/secrets/secret/kv/preview%2Fapp-12',
  sha: SHA,
  runId: 100,
  runAttempt: 1,
  runUrl: 'https://github.com/acme/web/actions/runs/100',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

const service = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const iso = fc
  .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const sectionArb = (
  svc: fc.Arbitrary<string> = service,
  details: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: 200 }),
) =>
  fc
    .record({
      service: svc,
      state: fc.constantFrom(...PREVIEW_STATES),
      url: optional(fc.webUrl()),
      image: optional(fc.string({ unit: 'binary', maxLength: 60 })),
      namespace: optional(fc.stringMatching(/^[a-z0-9-]{1,20}$/)),
      vaultUrl: optional(fc.webUrl()),
      sha: optional(fc.stringMatching(/^[0-9a-f]{40}$/)),
      runId: fc.integer({ min: 1, max: 50 }),
      runAttempt: fc.integer({ min: 1, max: 3 }),
      runUrl: optional(fc.webUrl()),
      updatedAt: iso,
      details: optional(details),
      stateNote: optional(fc.constantFrom(SLEEP_NOTES.policy, SLEEP_NOTES.keda, 'a|b <!-- x')),
      cost: optional(fc.constantFrom('≈ $0.021/h (0.25 vCPU, 0.5 GiB, 1 GiB storage)', '<!-- preview-fleet:section x')),
      environment: optional(fc.constantFrom('preview/pr-12', 'preview/pr-13')),
      deploymentId: optional(fc.integer({ min: 1, max: 1e9 })),
      imageSource: optional(fc.constantFrom('built', 'reused')),
    })
    .map((s) => normalizeSection(s as ServiceSection));

describe('comment model: render and parse', () => {
  it('renders state, URL, short SHA commit link, image, namespace, run and Vault links, and the hidden metadata', () => {
    const body = renderStatusComment([base()], ctx);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain(
      '| `app` | ✅ ready | [app-pr-12.preview.example.com](https://app-pr-12.preview.example.com) |',
    );
    expect(body).toContain(`[\`a1b2c3d\`](https://github.com/acme/web/commit/${SHA})`);
    expect(body).toContain('`preview-pr-12`');
    expect(body).toContain(
      '[run](https://github.com/acme/web/actions/runs/100) · [Vault](https://vault.example.com/ui/vault/secrets/secret/kv/preview%2Fapp-12)',
    );
    expect(parseStatusComment(body)).toEqual([normalizeSection(base())]);
    expect(isStatusComment(body)).toBe(true);
    expect(isStatusComment(`> ${body}`)).toBe(false);
  });

  it('a preview asleep under the KEDA HTTP add-on shows that it wakes on the first request, with its link (issue 19)', () => {
    const table = renderStatusTable([base({ state: 'sleeping', stateNote: SLEEP_NOTES.keda })], ctx);
    expect(table).toContain('💤 sleeping — wakes on the first request');
    expect(table).toContain('[app-pr-12.preview.example.com](https://app-pr-12.preview.example.com)');
  });

  it('shows next to each image whether this run rebuilt it or reused it (issue 18), and parses that back', () => {
    const sections = [
      base({ service: 'cart', imageSource: 'reused', image: 'r/cart-preview-12:build-1' }),
      base({ service: 'checkout', imageSource: 'built', image: 'r/checkout-preview-12:build-2' }),
      base({ service: 'search', image: 'r/search:prebuilt' }),
    ];
    const body = renderStatusComment(sections, ctx);
    expect(body).toContain('| `r/cart-preview-12:build-1` (reused, inputs unchanged) |');
    expect(body).toContain('| `r/checkout-preview-12:build-2` (rebuilt) |');
    expect(body).toContain('| `r/search:prebuilt` |');
    expect(parseStatusComment(body)).toEqual(mergeSections(sections));
  });

  it('a failed service shows its details collapsed; a re-run shows its attempt', () => {
    const body = renderStatusComment(
      [base({ state: 'failed', details: 'Helm upgrade failed:\n```\nImagePullBackOff\n```', runAttempt: 2 })],
      ctx,
    );
    expect(body).toContain('❌ failed');
    expect(body).toMatch(
      /<details><summary><code>app<\/code>: why it failed<\/summary>\n\nHelm upgrade failed:\n```\nImagePullBackOff\n```\n\n<\/details>/,
    );
    expect(body).toContain('[run (attempt 2)]');
  });

  it('a sleeping service says how it wakes (policy sleep or KEDA), and the note parses back', () => {
    for (const note of [SLEEP_NOTES.policy, SLEEP_NOTES.keda]) {
      const s = base({ state: 'sleeping', stateNote: note });
      const body = renderStatusComment([s], ctx);
      expect(body).toContain(`| \`app\` | 💤 sleeping — ${note} |`);
      expect(parseStatusComment(body)).toEqual([normalizeSection(s)]);
    }
    expect(renderStatusComment([base({ state: 'sleeping' })], ctx)).toContain('| `app` | 💤 sleeping |');
  });

  it('shows the cost estimate under the table, and parses it back', () => {
    const s = base({ cost: '≈ $0.021/h (0.25 vCPU, 0.5 GiB, 1 GiB storage)' });
    const body = renderStatusComment([s], ctx);
    expect(body).toContain('\n💰 `app`: ≈ $0.021/h (0.25 vCPU, 0.5 GiB, 1 GiB storage)\n');
    expect(parseStatusComment(body)).toEqual([normalizeSection(s)]);
  });

  it('text in details or cells cannot forge a section, close the block early or break the table', () => {
    const forged = `<!-- preview-fleet:section {"service":"evil","state":"ready","runId":999,"runAttempt":1,"updatedAt":"2026-01-01T00:00:00Z"} -->`;
    const s = base({ details: `x\n${forged}\n</details>\nafter`, image: 'img|with\npipe', namespace: forged });
    const body = renderStatusComment([s], ctx);
    expect(parseStatusComment(body)).toEqual([normalizeSection(s)]);
    expect(body.match(/<\/details>/g)).toHaveLength(1);
    const row = body.split('\n').find((l) => l.startsWith('| `app`'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(9);
  });

  it('property: parse(render(sections)) gives back the merged sections exactly', () => {
    fc.assert(
      fc.property(fc.array(sectionArb(), { maxLength: 6 }), (sections) => {
        expect(parseStatusComment(renderStatusComment(sections, ctx))).toEqual(mergeSections(sections));
      }),
      { numRuns: 200 },
    );
  });

  it('hand-edited or malformed metadata is skipped, never fatal', () => {
    const body =
      `${COMMENT_MARKER}\n<!-- preview-fleet:section {not json -->\n<!-- preview-fleet:section {"service":"x","state":"nope","runId":1,"runAttempt":1,"updatedAt":""} -->\n` +
      renderStatusComment([base()], ctx)
        .split('\n')
        .filter((l) => l.startsWith('<!-- preview-fleet:section'))
        .join('\n');
    expect(parseStatusComment(body)).toEqual([normalizeSection(base())]);
  });
});

describe('comment model: newer wins', () => {
  it('orders by run id, then run attempt, then time', () => {
    expect(compareSections(base({ runId: 99, updatedAt: '2027-01-01T00:00:00Z' }), base({ runId: 100 }))).toBeLessThan(
      0,
    );
    expect(compareSections(base({ runAttempt: 2, updatedAt: '2020-01-01T00:00:00Z' }), base())).toBeGreaterThan(0);
    expect(compareSections(base({ updatedAt: '2026-01-01T00:00:01Z' }), base())).toBeGreaterThan(0);
    expect(compareSections(base(), base())).toBe(0);
  });

  it('a late finish of an older run (cancelled, or an older commit) never turns ready back into deploying', () => {
    const ready = base({ runId: 200, state: 'ready' });
    const late = base({ runId: 150, state: 'deploying', sha: 'f'.repeat(40), updatedAt: '2026-06-01T00:00:00Z' });
    const r = applyUpdate([ready], late);
    expect(r.applied).toBe(false);
    expect(r.current).toEqual(normalizeSection(ready));
    expect(renderStatusComment(r.sections, ctx)).toBe(renderStatusComment([ready], ctx));
  });

  it('a retry of the same run and attempt with the same facts changes nothing (no PATCH)', () => {
    const r = applyUpdate([base()], base({ updatedAt: '2026-01-01T00:05:00Z' }));
    expect(r.applied).toBe(true);
    expect(r.sections).toEqual([normalizeSection(base())]);
  });

  it('services are independent: an update of one keeps the others', () => {
    const r = applyUpdate([base(), base({ service: 'api', runId: 300 })], base({ runId: 101, state: 'failed' }));
    expect(r.sections.map((s) => [s.service, s.state])).toEqual([
      ['api', 'ready'],
      ['app', 'failed'],
    ]);
  });

  const lists = fc.array(fc.array(sectionArb(fc.constantFrom('app', 'api', 'web')), { maxLength: 4 }), {
    maxLength: 4,
  });

  it('property: merge is commutative, associative and idempotent (order of comments never matters)', () => {
    fc.assert(
      fc.property(lists, fc.array(sectionArb(fc.constantFrom('app', 'api', 'web'))), (ls, extra) => {
        const all = ls.flat();
        expect(mergeSections(...[...ls].reverse())).toEqual(mergeSections(...ls));
        expect(mergeSections(mergeSections(all), extra)).toEqual(mergeSections(all, mergeSections(extra)));
        expect(mergeSections(mergeSections(all), mergeSections(all))).toEqual(mergeSections(all));
      }),
      { numRuns: 300 },
    );
  });

  it('property: per service the result is the maximum, so no older section ever replaces a newer one', () => {
    fc.assert(
      fc.property(fc.array(sectionArb(fc.constantFrom('app', 'api')), { minLength: 1, maxLength: 8 }), (all) => {
        const merged = mergeSections(all);
        for (const s of all) {
          const kept = merged.find((m) => m.service === s.service)!;
          expect(compareSections(kept, s)).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: applying updates in any order converges to the newest per service', () => {
    fc.assert(
      fc.property(
        fc
          .array(sectionArb(fc.constantFrom('app', 'api')), { minLength: 1, maxLength: 6 })
          .chain((u) => fc.tuple(fc.constant(u), fc.shuffledSubarray(u, { minLength: u.length, maxLength: u.length }))),
        ([updates, shuffled]) => {
          const fold = (us: ServiceSection[]) =>
            us.reduce<ServiceSection[]>((held, u) => applyUpdate(held, u).sections, []);
          const a = fold(updates);
          const b = fold(shuffled);
          // Same-content retries keep the earlier-stored copy, so compare bodies modulo time.
          expect(a.map((s) => ({ ...s, updatedAt: '' }))).toEqual(b.map((s) => ({ ...s, updatedAt: '' })));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('comment model: the 65,536-character limit', () => {
  it('long details are cut with a note; the body fits and every service parses back', () => {
    const huge = 'E'.repeat(200_000);
    const sections = [
      base({ state: 'failed', details: huge }),
      base({ service: 'api', state: 'failed', details: `<&>"\n`.repeat(20_000) }),
    ];
    const body = renderStatusComment(sections, ctx);
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT);
    expect(body.length).toBeGreaterThan(COMMENT_BODY_LIMIT - 2_000);
    const parsed = parseStatusComment(body);
    expect(parsed.map((s) => s.service)).toEqual(['api', 'app']);
    for (const s of parsed)
      expect(s.details).toMatch(
        /_… truncated: the first \d+ of \d+ characters are shown .* the full text is in the \[run log\]\(https:\/\/github\.com\/acme\/web\/actions\/runs\/100\)\._$/,
      );
    expect(renderStatusComment(parsed, ctx)).toBe(body);
  });

  it('truncateDetails never splits a surrogate pair and leaves short text alone', () => {
    expect(truncateDetails('short', 10)).toBe('short');
    expect(truncateDetails('ab😀cd', 3).startsWith('ab\n')).toBe(true);
  });

  it('property: any details size and any number of services fit the limit and never throw', () => {
    fc.assert(
      fc.property(
        fc.array(
          sectionArb(
            service,
            fc.nat({ max: 100_000 }).map((n) => 'x<'.repeat(n / 2)),
          ),
          { maxLength: 4 },
        ),
        (sections) => {
          const body = renderStatusComment(sections, ctx);
          expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT);
          expect(parseStatusComment(body).map((s) => s.service)).toEqual(mergeSections(sections).map((s) => s.service));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("the step summary table is the comment's table", () => {
    const table = renderStatusTable([base()], ctx);
    expect(renderStatusComment([base()], ctx)).toContain(table);
  });
});
