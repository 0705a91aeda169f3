import { describe, expect, it } from 'vitest';
import { renderRemovalTable, teardownMany, teardownPreview, type TeardownPorts } from '../../src/lifecycle/index.js';
import { newMarks, type RemovalResult } from '../../src/index.js';

/** An in-memory cluster/Vault/ECR/GitHub: what exists, and a log of every call in order. */
function world(existing: string[], fail: Record<string, string> = {}) {
  const present = new Set(existing);
  const calls: string[] = [];
  const remove = (kind: RemovalResult['kind'], name: string): RemovalResult => {
    calls.push(`${kind}:${name}`);
    if (fail[name]) throw new Error(fail[name]);
    return { kind, name, status: present.delete(name) ? 'deleted' : 'already-gone' };
  };
  const ports: TeardownPorts = {
    announce: async (pr, state) => {
      calls.push(`comment:${pr}:${state}`);
    },
    uninstallRelease: async (t) => remove('release', `${t.namespace}/${t.release}`),
    deleteNamespace: async (n) => remove('namespace', n),
    removeVaultPath: async (p) => remove('vault-path', p),
    removeRepository: async (r) => remove('ecr-repository', r),
    removeDeployments: async (e) => [remove('deployment', e)],
  };
  return { ports, calls, present };
}

const targets = [
  {
    service: 'app',
    release: 'app-pr-12',
    namespace: 'preview-pr-12',
    vaultPath: 'preview/app-12',
    ecrRepository: 'app-preview-12',
  },
  {
    service: 'api',
    release: 'api-pr-12',
    namespace: 'preview-pr-12',
    vaultPath: 'preview/api-12',
    ecrRepository: 'api-preview-12',
  },
];
const all = [
  'preview-pr-12/app-pr-12',
  'preview-pr-12/api-pr-12',
  'preview-pr-12',
  'preview/app-12',
  'preview/api-12',
  'app-preview-12',
  'api-preview-12',
  'preview/pr-12',
];

describe('teardownPreview', () => {
  it('runs the steps in the fixed order and a second run finds everything already gone', async () => {
    const w = world(all);
    const first = await teardownPreview(w.ports, { pr: 12, targets, environment: 'preview/pr-12' });
    expect(w.calls).toEqual([
      'comment:12:tearing-down',
      'release:preview-pr-12/app-pr-12',
      'release:preview-pr-12/api-pr-12',
      'namespace:preview-pr-12',
      'vault-path:preview/app-12',
      'vault-path:preview/api-12',
      'ecr-repository:app-preview-12',
      'ecr-repository:api-preview-12',
      'deployment:preview/pr-12',
      'comment:12:destroyed',
    ]);
    expect(first.results.map((r) => r.status)).toEqual(Array(8).fill('deleted'));
    expect(first).toMatchObject({ failed: false, nothingFound: false });
    const second = await teardownPreview(w.ports, { pr: 12, targets, environment: 'preview/pr-12' });
    expect(second.results.map((r) => r.status)).toEqual(Array(8).fill('already-gone'));
    expect(second).toMatchObject({ failed: false, nothingFound: true });
  });

  it('a failing step (Vault 503) is reported failed while every later step still runs', async () => {
    const w = world(all, { 'preview/app-12': 'Vault 503: sealed\nsecond line' });
    const r = await teardownPreview(w.ports, { pr: 12, targets, environment: 'preview/pr-12' });
    expect(r.failed).toBe(true);
    expect(r.results.find((x) => x.name === 'preview/app-12')).toEqual({
      kind: 'vault-path',
      name: 'preview/app-12',
      status: 'failed',
      reason: 'Vault 503: sealed',
    });
    expect(r.results.filter((x) => x.status === 'deleted')).toHaveLength(7);
    expect(w.present).toEqual(new Set(['preview/app-12']));
    expect(w.calls.at(-1)).toBe('comment:12:destroyed');
  });

  it('a failing comment is a warning, never a failed teardown', async () => {
    const w = world(all);
    const warnings: string[] = [];
    const r = await teardownPreview(
      {
        ...w.ports,
        logWarning: (m) => warnings.push(m),
        announce: async () => {
          throw new Error('HTTP 403');
        },
      },
      { pr: 12, targets },
    );
    expect(r.failed).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('tearing-down'), expect.stringContaining('destroyed')]);
  });

  it('renders one table row per resource, escaping pipes', () => {
    expect(renderRemovalTable([{ kind: 'namespace', name: 'a|b', status: 'failed', reason: 'x | y' }])).toContain(
      '| namespace | `a\\|b` | ❌ failed | x \\| y |',
    );
    expect(renderRemovalTable([])).toBe('_Nothing to remove._');
  });
});

describe('teardownMany', () => {
  it('batches marked namespaces over the concurrency, keeps per-PR order and per-PR reports', async () => {
    const w = world([]);
    const batches: string[][] = [];
    let inFlight = 0;
    let peak = 0;
    const ports: TeardownPorts = {
      ...w.ports,
      deleteMarkedNamespaces: async (items) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        batches.push(items.map((i) => i.name));
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return items.map((i) => ({ kind: 'namespace', name: i.name, status: 'deleted' }));
      },
    };
    const items = Array.from({ length: 10 }, (_, i) => ({
      pr: i + 1,
      releases: [],
      vaultPaths: [],
      repositories: [],
      environments: [`preview/pr-${i + 1}`],
      namespaces: [{ name: `preview-pr-${i + 1}`, marks: newMarks({ repository: 'acme/web', pr: i + 1, now: 0 }) }],
    }));
    const reports = await teardownMany(ports, items, { concurrency: 3 });
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(peak).toBe(3);
    expect(reports.map((r) => [r.pr, r.results.map((x) => `${x.kind}:${x.status}`)])).toEqual(
      items.map((i) => [i.pr, ['namespace:deleted', 'deployment:already-gone']]),
    );
    expect(w.calls.filter((c) => c.startsWith('comment')).length).toBe(20);
  });

  it('announceStart false (the reaper) edits each comment once, with the outcome', async () => {
    const w = world(all);
    await teardownMany(
      w.ports,
      [
        {
          pr: 12,
          releases: [],
          namespaces: [{ name: 'preview-pr-12' }],
          vaultPaths: [],
          repositories: [],
          environments: [],
        },
      ],
      { announceStart: false },
    );
    expect(w.calls).toEqual(['namespace:preview-pr-12', 'comment:12:destroyed']);
  });
});
