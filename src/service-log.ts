/**
 * Each service's log, kept whole while services run side by side and printed as one block once
 * the service has ended, in the order of `services` (a later service that ends first waits), so
 * the job log reads like the services ran one after another. Masks stay ahead of what they hide:
 * a step's text keeps its own order.
 */
import { group, log } from '@preview-fleet/core';
import type { StepRun } from './steps.js';

type Entry = { run: StepRun } | { note: string };

/** One service's steps and notes, in the order they happened. */
export class ServiceLog {
  readonly entries: Entry[] = [];

  constructor(readonly service: string) {}

  /** Keeps the steps' logs (undefined: a step that did not run) and returns the first. */
  add<R extends StepRun | undefined>(run: R, ...more: Array<StepRun | undefined>): R {
    for (const r of [run, ...more]) if (r) this.entries.push({ run: r });
    return run;
  }

  /** A line of the orchestrator's own about this service. */
  note(text: string): void {
    this.entries.push({ note: text });
  }
}

/** The logs of a run's services, printed in order as they end. */
export class ServiceLogs {
  private readonly logs: ServiceLog[];
  private readonly ended = new Set<string>();
  private printed = 0;
  private printing: Promise<void> = Promise.resolve();

  constructor(services: readonly string[]) {
    this.logs = services.map((s) => new ServiceLog(s));
  }

  of(service: string): ServiceLog {
    return this.logs.find((l) => l.service === service)!;
  }

  /** Marks `service` ended and prints every ended service not yet printed that no earlier one holds back. */
  done(service: string): Promise<void> {
    this.ended.add(service);
    this.printing = this.printing.then(async () => {
      while (this.printed < this.logs.length && this.ended.has(this.logs[this.printed]!.service)) {
        await printLog(this.logs[this.printed]!);
        this.printed++;
      }
    });
    return this.printing;
  }
}

async function printLog(l: ServiceLog): Promise<void> {
  for (const e of l.entries) {
    if ('note' in e) {
      log.info(e.note);
      continue;
    }
    const r = e.run;
    const how = `${r.ok ? 'ok' : `failed, exit ${r.exitCode}`}, ${(r.ms / 1000).toFixed(2)} s`;
    await group(`${l.service} · ${r.step} (${how})`, async () => {
      process.stdout.write(r.log);
    });
  }
}
