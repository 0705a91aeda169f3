/** Time as the lifecycle sees it: injected everywhere so tests never really sleep. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A clock for tests: `sleep` advances time at once and records the wait, so retry and polling
 * code runs its whole schedule instantly and the test can assert the schedule.
 */
export class FakeClock implements Clock {
  private t: number;
  readonly sleeps: number[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }

  advance(ms: number): void {
    this.t += ms;
  }
}
