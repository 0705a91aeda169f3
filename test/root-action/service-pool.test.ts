/**
 * The all-in-one's scheduling of a PR's services: `depends-on` parsing (refused before anything
 * is created), the max-parallel bound, dependencies waited for, independent services never
 * waiting, and the comment queue that keeps every service's row.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '@preview-fleet/core';
import { CommentQueue, type CommentUpdate } from '../../src/comment-queue.js';
import { parseDependsOn } from '../../src/depends-on.js';
import { dependencyOrder, runServices, type ServiceState } from '../../src/service-pool.js';

const SERVICES = ['web', 'api', 'db', 'cache', 'docs', 'search'];

/** A promise settled from outside: each service's work ends when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('depends-on', () => {
  it('reads one line per dependent service, names normalised like services', () => {
    const deps = parseDependsOn('api=db, cache\n# comment\nWeb = api\n', SERVICES);
    expect([...deps]).toEqual([
      ['api', ['db', 'cache']],
      ['web', ['api']],
    ]);
    expect(parseDependsOn('', SERVICES).size).toBe(0);
  });

  it.each([
    ['api=queue', /"depends-on" must name only services listed in "services" \(web, api, db.*"api=queue"/],
    ['queue=db', /only services listed/],
    ['api=api', /must not make "api" wait for itself/],
    ['api=', /at least one service/],
    ['api=db\ndb=cache\ncache=api', /must not hold a cycle \(api → db → cache → api\)/],
    ['api', /one KEY=value pair per line/],
  ])('refuses %j with an InputError naming the input, the value and what is accepted', (raw, message) => {
    const err = (() => {
      try {
        parseDependsOn(raw, SERVICES);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
  });

  it('orders services after their dependencies, otherwise as listed', () => {
    const deps = parseDependsOn('web=api\napi=db', SERVICES);
    expect(dependencyOrder(SERVICES, deps)).toEqual(['db', 'api', 'web', 'cache', 'docs', 'search']);
  });
});

describe('runServices', () => {
  it('runs at most max-parallel at once and returns outcomes in the order of services', async () => {
    const gates = new Map(SERVICES.map((s) => [s, gate()]));
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const all = runServices(SERVICES, new Map(), 4, (service, run) =>
      run.slot(async () => {
        started.push(service);
        most = Math.max(most, ++running);
        await gates.get(service)!.opened;
        running--;
        return { service, state: 'ready' as ServiceState };
      }),
    );
    await ticks();
    expect(started).toEqual(['web', 'api', 'db', 'cache']);
    gates.get('db')!.open();
    await ticks();
    expect(started).toEqual(['web', 'api', 'db', 'cache', 'docs']);
    for (const g of gates.values()) g.open();
    expect((await all).map((o) => o.service)).toEqual(SERVICES);
    expect(most).toBe(4);
  });

  it('a dependent waits for its dependency; a failure fails the dependents; max-parallel 1 never deadlocks', async () => {
    const deps = parseDependsOn('web=api\napi=db', SERVICES);
    const gates = new Map(SERVICES.map((s) => [s, gate()]));
    const events: string[] = [];
    const waitedFor = new Map<string, string[]>();
    // max-parallel 1: a service waiting for a dependency must not hold the only slot.
    const all = runServices(SERVICES, deps, 1, async (service, run) => {
      await run.slot(async () => undefined); // the build
      const notReady = await run.dependencies();
      waitedFor.set(service, notReady);
      if (notReady.length) return { service, state: 'failed' as ServiceState };
      return run.slot(async () => {
        events.push(`${service} deploys`);
        await gates.get(service)!.opened;
        events.push(`${service} ends`);
        return { service, state: (service === 'api' ? 'failed' : 'ready') as ServiceState };
      });
    });
    await ticks(50);
    expect(events).toEqual(['db deploys']);
    for (const s of ['db', 'api', 'cache', 'docs', 'search']) gates.get(s)!.open();
    const outcomes = await all;
    expect(events.indexOf('api deploys')).toBeGreaterThan(events.indexOf('db ends'));
    expect(events).not.toContain('web deploys');
    expect(waitedFor.get('web')).toEqual(['api (failed)']);
    expect(waitedFor.get('cache')).toEqual([]);
    expect(Object.fromEntries(outcomes.map((o) => [o.service, o.state]))).toEqual({
      web: 'failed',
      api: 'failed',
      db: 'ready',
      cache: 'ready',
      docs: 'ready',
      search: 'ready',
    });
  });

  it('independent services never wait for a slow one', async () => {
    const slow = gate();
    const done: string[] = [];
    const all = runServices(['db', 'api', 'web'], parseDependsOn('api=db', ['db', 'api', 'web']), 6, async (s, run) => {
      if (s === 'db') await slow.opened;
      if ((await run.dependencies()).length) return { service: s, state: 'failed' as ServiceState };
      done.push(s);
      return { service: s, state: 'ready' as ServiceState };
    });
    await ticks();
    expect(done).toEqual(['web']);
    slow.open();
    await all;
    expect(done).toEqual(['web', 'db', 'api']);
  });
});

describe('CommentQueue', () => {
  it('writes one update at a time, in order, and replaces an update still waiting for the same service', async () => {
    const written: string[] = [];
    let inFlight = 0;
    let most = 0;
    const pending: Array<() => void> = [];
    const queue = new CommentQueue(async (u: CommentUpdate) => {
      most = Math.max(most, ++inFlight);
      await new Promise<void>((resolve) => pending.push(resolve));
      written.push(`${u.service}:${u.state}`);
      inFlight--;
    });
    const results = SERVICES.map((s) => queue.post({ service: s, state: 'building', extra: {} }));
    const ready = queue.post({ service: 'search', state: 'ready', extra: {} });
    while (written.length < SERVICES.length) {
      await ticks();
      pending.shift()?.();
    }
    await queue.idle();
    expect(written).toEqual([
      'web:building',
      'api:building',
      'db:building',
      'cache:building',
      'docs:building',
      'search:ready',
    ]);
    expect(await Promise.all(results)).toEqual([true, true, true, true, true, false]);
    expect(await ready).toBe(true);
    expect(most).toBe(1);
  });
});
