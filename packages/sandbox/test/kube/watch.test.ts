import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../../src/http/server.js';
import { ObjectStore, type KubeObject, type ResourceType } from '../../src/kube/storage/store.js';
import { dropWatches, openWatchCount, serveWatch, type WatchEvent } from '../../src/kube/verbs/watch.js';

let store: ObjectStore;
let server: LoopbackServer;
const cm = (): ResourceType => store.types.get('', 'v1', 'configmaps')!;
const configMap = (name: string, labels: Record<string, string> = {}, ns = 'app'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, labels },
  data: { k: 'v' },
});

beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const get = (k: string): string | undefined => q.get(k) ?? undefined;
    serveWatch({
      req,
      res,
      store,
      type: cm(),
      namespace: get('namespace'),
      labelSelector: get('labelSelector'),
      fieldSelector: get('fieldSelector'),
      resourceVersion: get('resourceVersion'),
      sendInitialEvents: get('sendInitialEvents') === 'true',
      allowBookmarks: get('allowWatchBookmarks') === 'true',
      timeoutSeconds: get('timeoutSeconds') === undefined ? undefined : Number(get('timeoutSeconds')),
      bookmarkIntervalMs: get('bookmarkMs') === undefined ? undefined : Number(get('bookmarkMs')),
      transform: get('table')
        ? (o, first) => ({
            kind: 'Table',
            ...(first ? { columnDefinitions: [{ name: 'Name' }] } : {}),
            rows: [{ cells: [o.metadata.name] }],
          })
        : undefined,
    });
  });
});
afterEach(() => {
  dropWatches(store);
});
afterAll(async () => server.close());

/** Opens a watch and reads its events as they come; `next(n)` resolves once n events arrived in total. */
async function watch(
  query: string,
): Promise<{ events: WatchEvent[]; next(n: number): Promise<WatchEvent[]>; ended: Promise<void>; close(): void }> {
  const ac = new AbortController();
  const resp = await fetch(`${server.url}/?${query}`, { signal: ac.signal });
  expect(resp.status).toBe(200);
  expect(resp.headers.get('content-type')).toBe('application/json');
  const events: WatchEvent[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const reader = resp.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)) as WatchEvent);
          buf = buf.slice(i + 1);
        }
        for (const w of waiters.filter((x) => events.length >= x.n)) w.resolve();
      }
    } catch {
      // aborted or destroyed by the server
    }
  })();
  return {
    events,
    next: (n) =>
      events.length >= n
        ? Promise.resolve(events)
        : new Promise<WatchEvent[]>((resolve) => waiters.push({ n, resolve: () => resolve(events) })),
    ended,
    close: () => ac.abort(),
  };
}

const summary = (evs: WatchEvent[]): string[] =>
  evs.map((e) => `${e.type} ${(e.object as KubeObject).metadata?.name ?? ''}`.trim());

describe('serveWatch', () => {
  it('starts with the current state as ADDED, then streams changes of the watched namespace only', async () => {
    store = new ObjectStore();
    store.create(cm(), configMap('a'));
    store.create(cm(), configMap('other', {}, 'elsewhere'));
    const w = await watch('namespace=app');
    await w.next(1);
    store.create(cm(), configMap('b'));
    store.create(cm(), configMap('c', {}, 'elsewhere'));
    const b = store.get(cm(), 'app', 'b')!;
    store.update(cm(), { ...b, data: { k: 'changed' } });
    store.remove(cm(), 'app', 'a');
    const evs = await w.next(4);
    expect(summary(evs)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
    expect(Number((evs[3].object as KubeObject).metadata.resourceVersion)).toBe(store.currentRv());
    w.close();
  });

  it('replays history after a resourceVersion, and answers 410 Expired when that is older than the history', async () => {
    store = new ObjectStore({ historyLimit: 3 });
    store.create(cm(), configMap('one'));
    const from = store.currentRv();
    store.create(cm(), configMap('two'));
    store.update(cm(), { ...store.get(cm(), 'app', 'one')!, data: { k: 'x' } });
    const w = await watch(`namespace=app&resourceVersion=${from}`);
    expect(summary(await w.next(2))).toEqual(['ADDED two', 'MODIFIED one']);
    w.close();

    store.create(cm(), configMap('three'));
    store.create(cm(), configMap('four'));
    const old = await watch(`resourceVersion=${from}`);
    await old.ended;
    expect(old.events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
    ]);
  });

  it('objects entering or leaving a label selector become ADDED / DELETED', async () => {
    store = new ObjectStore();
    store.create(cm(), configMap('x', { tier: 'web' }));
    const w = await watch('labelSelector=tier%3Dweb');
    await w.next(1);
    const x = store.get(cm(), 'app', 'x')!;
    store.update(cm(), { ...x, metadata: { ...x.metadata, labels: { tier: 'db' } } });
    store.create(cm(), configMap('y', { tier: 'db' }));
    const y = store.get(cm(), 'app', 'y')!;
    store.update(cm(), { ...y, metadata: { ...y.metadata, labels: { tier: 'web' } } });
    store.remove(cm(), 'app', 'x');
    store.remove(cm(), 'app', 'y');
    expect(summary(await w.next(4))).toEqual(['ADDED x', 'DELETED x', 'ADDED y', 'DELETED y']);
    w.close();
  });

  it('after a resume, an object leaving the selector is DELETED even though the client was told about it before', async () => {
    store = new ObjectStore();
    store.create(cm(), configMap('x', { tier: 'web' }));
    const from = store.currentRv();
    const x = store.get(cm(), 'app', 'x')!;
    store.update(cm(), { ...x, metadata: { ...x.metadata, labels: { tier: 'db' } } });
    store.create(cm(), configMap('z', { tier: 'db' }));
    const z = store.get(cm(), 'app', 'z')!;
    store.update(cm(), { ...z, data: { k: 'still db' } });
    store.create(cm(), configMap('marker', { tier: 'web' }));
    const w = await watch(`labelSelector=tier%3Dweb&resourceVersion=${from}`);
    expect(summary(await w.next(2))).toEqual(['DELETED x', 'ADDED marker']);
    w.close();
  });

  it('fieldSelector metadata.name narrows the stream (kubectl rollout status, helm 3 hook waits)', async () => {
    store = new ObjectStore();
    store.create(cm(), configMap('a'));
    store.create(cm(), configMap('b'));
    const w = await watch('fieldSelector=metadata.name%3Db');
    store.remove(cm(), 'app', 'a');
    store.remove(cm(), 'app', 'b');
    expect(summary(await w.next(2))).toEqual(['ADDED b', 'DELETED b']);
    w.close();
  });

  it('sendInitialEvents: ADDED for each object, then the initial-events-end BOOKMARK (helm 4 / kstatus)', async () => {
    store = new ObjectStore();
    store.create(cm(), configMap('a'));
    store.create(cm(), configMap('b'));
    const w = await watch(
      'namespace=app&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=',
    );
    const evs = await w.next(3);
    expect(summary(evs)).toEqual(['ADDED a', 'ADDED b', 'BOOKMARK']);
    expect(evs[2].object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(store.currentRv()), annotations: { 'k8s.io/initial-events-end': 'true' } },
    });
    store.create(cm(), configMap('c'));
    expect(summary(await w.next(4)).at(-1)).toBe('ADDED c');
    w.close();
  });

  it('sends progress bookmarks when allowed, ends at timeoutSeconds, and forgets a client that left', async () => {
    store = new ObjectStore();
    const w = await watch('allowWatchBookmarks=true&bookmarkMs=20&timeoutSeconds=1');
    expect((await w.next(1))[0]).toMatchObject({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '1' } } });
    expect(openWatchCount(store)).toBe(1);
    await w.ended;
    expect(openWatchCount(store)).toBe(0);

    const gone = await watch('');
    expect(openWatchCount(store)).toBe(1);
    gone.close();
    await gone.ended;
    await expect.poll(() => openWatchCount(store)).toBe(0);
    store.create(cm(), configMap('after'));
    expect(gone.events).toEqual([]);
  });

  it('transform re-renders event objects (Tables for kubectl get -w), column definitions only in the first', async () => {
    store = new ObjectStore();
    store.create(cm(), configMap('a'));
    const w = await watch('table=1&allowWatchBookmarks=true&sendInitialEvents=true');
    store.create(cm(), configMap('b'));
    const evs = await w.next(3);
    expect(evs).toEqual([
      { type: 'ADDED', object: { kind: 'Table', columnDefinitions: [{ name: 'Name' }], rows: [{ cells: ['a'] }] } },
      { type: 'BOOKMARK', object: expect.objectContaining({ kind: 'ConfigMap' }) },
      { type: 'ADDED', object: { kind: 'Table', rows: [{ cells: ['b'] }] } },
    ]);
    w.close();
  });

  it('dropWatches cuts open connections (the dropped-watch fault)', async () => {
    store = new ObjectStore();
    const w = await watch('');
    expect(dropWatches(store)).toBe(1);
    await w.ended;
    expect(openWatchCount(store)).toBe(0);
  });
});
