import { describe, expect, it } from 'vitest';
import { capFullError, decideSlot, takenSlots, type CapNamespace } from '../../src/kube/cap.js';

const H = 3_600_000;
const now = Date.parse('2026-03-02T12:00:00.000Z');
const ago = (h: number) => new Date(now - h * H).toISOString();
const ns = (pr: number, h: number, extra: Partial<CapNamespace> = {}): CapNamespace => ({
  name: `preview-pr-${pr}`,
  pr,
  deployedAt: ago(h),
  sleeping: false,
  ...extra,
});

describe('max-previews slots (pure)', () => {
  it('awake namespaces hold slots (oldest deploy first); sleeping or terminating ones and stale claims do not', () => {
    const slots = takenSlots(
      { slots: { '1': ago(0.1), '7': ago(0.2), '8': ago(2), '4': ago(0.1) }, asleep: {} },
      [ns(1, 5), ns(2, 3), ns(3, 9, { sleeping: true }), ns(4, 1, { phase: 'Terminating' })],
      now,
      H,
    );
    // PR 1's claim is newer than its namespace's deploy; 7 is in flight (no namespace yet, inside the grace);
    // 8's claim is past the grace with no namespace; 4's namespace is going.
    expect(slots.map((s) => [s.pr, s.at, s.namespaces])).toEqual([
      [2, ago(3), ['preview-pr-2']],
      [7, ago(0.2), []],
      [1, ago(0.1), ['preview-pr-1']],
    ]);
  });

  it('hold, claim, evict the least recently deployed (never a deploy in flight), or full', () => {
    const slots = takenSlots({ slots: { '7': ago(0.2) }, asleep: {} }, [ns(1, 5), ns(2, 3)], now, H);
    expect(decideSlot(slots, 2, 3, 'sleep', now).action).toBe('hold');
    expect(decideSlot(slots, 9, 4, 'sleep', now)).toMatchObject({
      action: 'claim',
      record: { slots: { '9': ago(0) } },
    });
    const evict = decideSlot(slots, 9, 3, 'sleep', now);
    expect(evict).toMatchObject({
      action: 'evict',
      victim: { pr: 1, namespaces: ['preview-pr-1'] },
      record: { asleep: { '1': ago(0) } },
    });
    expect(Object.keys((evict as { record: { slots: object } }).record.slots).sort()).toEqual(['2', '7', '9']);
    // An evicted preview whose namespace still looks awake does not count again until it is deployed.
    const after = takenSlots({ slots: {}, asleep: { '1': ago(0) } }, [ns(1, 5), ns(2, 3)], now, H);
    expect(after.map((s) => s.pr)).toEqual([2]);
    expect(decideSlot(slots, 9, 3, 'fail', now)).toMatchObject({ action: 'full' });
    const inFlight = takenSlots({ slots: { '7': ago(0.2) }, asleep: {} }, [], now, H);
    expect(decideSlot(inFlight, 9, 1, 'sleep', now)).toMatchObject({ action: 'full' });
  });

  it("a full cap's error names the cap, the PR and the holders, oldest first", () => {
    const slots = takenSlots({ slots: { '7': ago(0.2) }, asleep: {} }, [ns(1, 5), ns(2, 3)], now, H);
    expect(capFullError(3, 9, slots, 'fail').message).toBe(
      `The cap of 3 preview(s) is reached (3 awake); not deploying PR #9. Holding it: PR #1 (preview-pr-1, last deployed ${ago(5)}), PR #2 (preview-pr-2, last deployed ${ago(3)}), PR #7 (deploying now, last deployed ${ago(0.2)})`,
    );
  });
});
