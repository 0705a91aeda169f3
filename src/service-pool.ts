/**
 * Runs a PR's services side by side: at most `maxParallel` of them working at once, each one's
 * deploy waiting only for the services it depends on. A service waiting for a dependency holds
 * no slot, and services start in dependency order, so a small `max-parallel` never deadlocks.
 */
import type { DependsOn } from './depends-on.js';

/** How a service's run ended, as its dependents see it. */
/** `sleeping` (scale-to-zero, woken by the first request) counts as ready for a dependent. */
export type ServiceState = 'ready' | 'sleeping' | 'skipped' | 'failed';

/** What one service's task gets from the pool. */
export interface ServiceRun {
  /** Runs `fn` in one of the `max-parallel` slots (first come, first served). */
  slot<R>(fn: () => Promise<R>): Promise<R>;
  /** Waits until every dependency has ended; resolves with those that did not become ready (`db (failed)`). */
  dependencies(): Promise<string[]>;
}

/** A FIFO counting semaphore. */
export function limiter(max: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** The services in an order where each comes after its dependencies, otherwise as listed. */
export function dependencyOrder(services: readonly string[], deps: DependsOn): string[] {
  const out: string[] = [];
  const placed = new Set<string>();
  while (out.length < services.length) {
    const next = services.find((s) => !placed.has(s) && (deps.get(s) ?? []).every((d) => placed.has(d)));
    // parseDependsOn refuses cycles, so there is always a next one.
    if (next === undefined) throw new Error(`dependency cycle among ${services.filter((s) => !placed.has(s))}`);
    out.push(next);
    placed.add(next);
  }
  return out;
}

/**
 * Runs `task` for every service and returns the outcomes in the order of `services`. A task that
 * throws counts as failed for its dependents; the first such error is rethrown once all have ended.
 */
export async function runServices<T extends { state: ServiceState }>(
  services: readonly string[],
  deps: DependsOn,
  maxParallel: number,
  task: (service: string, run: ServiceRun) => Promise<T>,
): Promise<T[]> {
  const slot = limiter(maxParallel);
  const ended = new Map<string, { promise: Promise<ServiceState>; settle: (s: ServiceState) => void }>();
  for (const s of services) {
    let settle!: (state: ServiceState) => void;
    const promise = new Promise<ServiceState>((resolve) => (settle = resolve));
    ended.set(s, { promise, settle });
  }
  const dependencies = async (service: string): Promise<string[]> => {
    const names = deps.get(service) ?? [];
    const states = await Promise.all(names.map((d) => ended.get(d)!.promise));
    return names.flatMap((d, i) => (states[i] === 'ready' || states[i] === 'sleeping' ? [] : [`${d} (${states[i]})`]));
  };
  const runs = new Map<string, Promise<T>>();
  for (const service of dependencyOrder(services, deps)) {
    const run: ServiceRun = { slot, dependencies: () => dependencies(service) };
    runs.set(
      service,
      task(service, run).then(
        (outcome) => {
          ended.get(service)!.settle(outcome.state);
          return outcome;
        },
        (err: unknown) => {
          ended.get(service)!.settle('failed');
          throw err;
        },
      ),
    );
  }
  const settled = await Promise.allSettled(services.map((s) => runs.get(s)!));
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
