/**
 * Time for the KEDA add-on model: real timers in `npm run sandbox`, a manual clock in tests so an
 * idle period of 30 minutes passes in one call and nobody sleeps.
 */

/** A clock that can also wake its owner later. */
export interface AddOnClock {
  now(): number;
  /** Runs `fn` once after `ms`; `cancel` forgets it. */
  setTimer(fn: () => void, ms: number): { cancel(): void };
}

/** Date.now and setTimeout (unref'd: a pending scale-down never keeps a process alive). */
export const realAddOnClock: AddOnClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** Time moves only when a test calls `advance`, which fires every timer that falls due, in order. */
export class ManualClock implements AddOnClock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): { cancel(): void } {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { cancel: () => void this.timers.delete(id) };
  }

  /** Moves time forward by `ms`, firing due timers (and the timers they set that are due too). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
