/**
 * Namespace and release removal and the marked-namespace inventory against the Kubernetes
 * stand-in, driven by the real kubectl 1.34 and helm 3.17 / 4.1.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { toolPaths } from '@preview-fleet/testkit/tools';
import { deleteMarkedNamespaces, deleteNamespace, uninstallRelease } from '../../src/kube/removal.js';
import {
  listMarkedNamespaces,
  listReleasesByNamespace,
  markNamespaceWarned,
  WARNED_AT_ANNOTATION,
} from '../../src/kube/inventory.js';
import { runHelm, type KubeTools } from '../../src/kube/tools.js';
import { newMarks, toKubeAnnotations, toKubeLabels } from '../../src/index.js';

const tools = toolPaths();
const REPO = 'acme/web';
let kube: KubeStandIn;
let home: string;
let chart: string;
let cli: KubeTools;

const nsType = () => kube.store.types.get('', 'v1', 'namespaces')!;
function namespace(name: string, marks?: { repository: string; pr: number }): void {
  const m = marks && newMarks({ ...marks, service: 'app', now: Date.now(), ttlMs: 3_600_000 });
  kube.store.create(nsType(), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      ...(m ? { labels: toKubeLabels(m), annotations: toKubeAnnotations(m) } : { labels: { team: 'x' } }),
    },
  });
}
const exists = (name: string): boolean => kube.store.get(nsType(), undefined, name) !== undefined;

beforeAll(async () => {
  kube = await startKube({ controllerDelayMs: 20 });
  home = mkdtempSync(join(tmpdir(), 'pf-kube-removal-'));
  chart = join(home, 'chart');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
  writeFileSync(
    join(chart, 'templates', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: "1"\n',
  );
  cli = { kubectl: tools.v34.kubectl, helm: tools.v31.helm, env: { ...kube.env, HOME: home } };
});
afterAll(async () => {
  await kube.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('deleteNamespace (kubectl 1.34)', () => {
  it('deletes a namespace marked for this PR and waits until it is gone; then already-gone', async () => {
    namespace('preview-pr-12', { repository: REPO, pr: 12 });
    const o = { name: 'preview-pr-12', owner: { repository: REPO, pr: 12 }, timeoutMs: 30_000 };
    expect(await deleteNamespace(cli, o)).toEqual({ kind: 'namespace', name: 'preview-pr-12', status: 'deleted' });
    expect(exists('preview-pr-12')).toBe(false);
    expect(await deleteNamespace(cli, o)).toEqual({ kind: 'namespace', name: 'preview-pr-12', status: 'already-gone' });
  });

  it("never touches default, kube-system, a look-alike without marks, or another PR's namespace", async () => {
    namespace('preview-pr-5');
    namespace('preview-pr-6', { repository: REPO, pr: 7 });
    namespace('preview-pr-8', { repository: 'other/repo', pr: 8 });
    const before = kube.counters()['delete namespaces'] ?? 0;
    const results = await Promise.all(
      [
        ['default', 5],
        ['kube-system', 5],
        ['preview-pr-5', 5],
        ['preview-pr-6', 6],
        ['preview-pr-8', 8],
      ].map(([name, pr]) =>
        deleteNamespace(cli, { name: name as string, owner: { repository: REPO, pr: pr as number }, timeoutMs: 5000 }),
      ),
    );
    expect(results.map((r) => [r.name, r.status, r.reason])).toEqual([
      ['default', 'skipped-unmarked', 'a system namespace is never deleted'],
      ['kube-system', 'skipped-unmarked', 'a system namespace is never deleted'],
      ['preview-pr-5', 'skipped-unmarked', 'no preview-fleet marks in its labels/annotations'],
      ['preview-pr-6', 'skipped-unmarked', 'marked for acme/web#7, not acme/web#6'],
      ['preview-pr-8', 'skipped-unmarked', 'marked for other/repo#8, not acme/web#8'],
    ]);
    expect((kube.counters()['delete namespaces'] ?? 0) - before).toBe(0);
    for (const n of ['default', 'kube-system', 'preview-pr-5', 'preview-pr-6', 'preview-pr-8'])
      expect(exists(n)).toBe(true);
  });

  it('a namespace stuck Terminating fails with the finalizer that holds it', async () => {
    namespace('preview-pr-13', { repository: REPO, pr: 13 });
    kube.scenarios.holdNamespace('preview-pr-13', 'example.com/stuck-operator');
    const r = await deleteNamespace(cli, {
      name: 'preview-pr-13',
      owner: { repository: REPO, pr: 13 },
      timeoutMs: 2000,
    });
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/^stuck Terminating; finalizers holding it: .*example\.com\/stuck-operator/);
    expect(r.reason).toContain('(waited 2s)');
  });
});

describe('inventory and batch deletion', () => {
  it('lists the marked namespaces of this repository with ONE list call, then deletes them several per kubectl', async () => {
    for (const pr of [21, 22, 23]) namespace(`preview-pr-${pr}`, { repository: REPO, pr });
    namespace('preview-pr-24', { repository: 'other/repo', pr: 24 });
    namespace('lookalike-pr-25');
    const before = kube.counters()['list namespaces'] ?? 0;
    const listed = await listMarkedNamespaces(cli, REPO);
    expect((kube.counters()['list namespaces'] ?? 0) - before).toBe(1);
    const ours = listed.map((n) => n.name);
    expect(ours).toEqual(expect.arrayContaining(['preview-pr-21', 'preview-pr-22', 'preview-pr-23', 'preview-pr-6']));
    expect(ours).not.toContain('preview-pr-24');
    expect(ours).not.toContain('lookalike-pr-25');
    expect(listed.find((n) => n.name === 'preview-pr-21')).toMatchObject({
      phase: 'Active',
      marks: { repository: REPO, pr: 21, service: 'app' },
    });

    await markNamespaceWarned(cli, 'preview-pr-21', '2026-11-25T10:00:00.000Z');
    expect((await listMarkedNamespaces(cli, REPO)).find((n) => n.name === 'preview-pr-21')!.warnedAt).toBe(
      '2026-11-25T10:00:00.000Z',
    );
    expect(kube.store.get(nsType(), undefined, 'preview-pr-21')!.metadata.annotations![WARNED_AT_ANNOTATION]).toBe(
      '2026-11-25T10:00:00.000Z',
    );

    const batch = listed.filter((n) => ['preview-pr-21', 'preview-pr-22', 'preview-pr-23'].includes(n.name));
    const gone = { name: 'preview-pr-99', marks: newMarks({ repository: REPO, pr: 99, now: 0 }) };
    const foreign = { name: 'preview-pr-24', marks: newMarks({ repository: 'other/repo', pr: 24, now: 0 }) };
    const results = await deleteMarkedNamespaces(cli, [...batch, gone, foreign], {
      repository: REPO,
      timeoutMs: 30_000,
    });
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['preview-pr-21', 'deleted'],
      ['preview-pr-22', 'deleted'],
      ['preview-pr-23', 'deleted'],
      ['preview-pr-99', 'already-gone'],
      ['preview-pr-24', 'skipped-unmarked'],
    ]);
    for (const n of ['preview-pr-21', 'preview-pr-22', 'preview-pr-23']) expect(exists(n)).toBe(false);
    expect(exists('preview-pr-24')).toBe(true);
  });
});

describe.each([
  ['helm 3.17', tools.v31.helm, 3 as const],
  ['helm 4.1', tools.v34.helm, 4 as const],
])('uninstallRelease and listReleasesByNamespace (%s)', (_label, helm, major) => {
  it("uninstalls a release in the PR's namespace, then reports it already gone; refuses an unmarked namespace", async () => {
    const c: KubeTools = { ...cli, helm };
    const ns = `preview-pr-${30 + major}`;
    namespace(ns, { repository: REPO, pr: 30 + major });
    namespace(`plain-${major}`);
    await runHelm(c, ['install', 'app', chart, '--namespace', ns]);
    await runHelm(c, ['install', 'app', chart, '--namespace', `plain-${major}`]);
    const listed = await listReleasesByNamespace(c, major);
    expect(listed.get(ns)).toEqual(['app']);
    const o = { release: 'app', namespace: ns, owner: { repository: REPO, pr: 30 + major }, timeoutMs: 30_000 };
    expect(await uninstallRelease(c, o)).toEqual({ kind: 'release', name: `${ns}/app`, status: 'deleted' });
    expect(kube.store.list(kube.store.types.get('', 'v1', 'configmaps')!, ns)).toEqual([]);
    expect(await uninstallRelease(c, o)).toEqual({ kind: 'release', name: `${ns}/app`, status: 'already-gone' });
    const plain = await uninstallRelease(c, { ...o, namespace: `plain-${major}` });
    expect(plain).toMatchObject({
      status: 'skipped-unmarked',
      reason: `namespace plain-${major}: no preview-fleet marks in its labels/annotations`,
    });
    expect((await listReleasesByNamespace(c, major)).get(`plain-${major}`)).toEqual(['app']);
    expect(await uninstallRelease(c, { ...o, namespace: 'preview-pr-404' })).toMatchObject({ status: 'already-gone' });
  });
});
