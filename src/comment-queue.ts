/**
 * The one place a run's comment writes go through. Every write reads the sticky comment, merges
 * its service's row and writes it back, so two writes racing from one run could each drop the
 * other's row (both carry the same run id). Here they are written one at a time, in the order
 * services asked; an update still waiting is replaced by a newer one for the same service (the
 * comment's newer-wins merge would discard it anyway), so a busy queue never lags behind.
 */

/** One service's row update. */
export interface CommentUpdate {
  service: string;
  state: string;
  extra: Record<string, string>;
}

interface Waiter {
  resolve: (written: boolean) => void;
  reject: (err: unknown) => void;
}

interface Pending {
  update: CommentUpdate;
  waiters: Waiter[];
}

/** Writes comment updates one at a time through `write`. */
export class CommentQueue {
  private readonly pending: Pending[] = [];
  private busy: Promise<void> | undefined;

  constructor(private readonly write: (update: CommentUpdate) => Promise<void>) {}

  /**
   * Queues `update`; resolves true once it is written, false when a newer update for the same
   * service replaced it before its turn; rejects with `write`'s error (the queue goes on).
   */
  post(update: CommentUpdate): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const same = this.pending.find((p) => p.update.service === update.service);
      if (same) {
        for (const w of same.waiters) w.resolve(false);
        same.update = update;
        same.waiters = [{ resolve, reject }];
      } else {
        this.pending.push({ update, waiters: [{ resolve, reject }] });
      }
      this.busy ??= this.drain();
    });
  }

  /** Resolves when everything queued so far is written. */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  private async drain(): Promise<void> {
    // Let posts made in the same tick join the queue first (and be coalesced).
    await Promise.resolve();
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const waiters = next.waiters;
        await this.write(next.update).then(
          () => waiters.forEach((w) => w.resolve(true)),
          (err: unknown) => waiters.forEach((w) => w.reject(err)),
        );
      }
    } finally {
      this.busy = undefined;
    }
  }
}
