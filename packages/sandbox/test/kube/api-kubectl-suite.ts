import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeObject, type KubeStandIn } from '../../src/kube/index.js';
import { toolPaths } from '../../src/tools.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The API stand-in driven by a real kubectl, one file per version (api-kubectl-1xx.itg.test.ts)
 * so the two run in parallel forks. A bare server (no controllers): status writes must not move
 * resourceVersions under the no-op checks.
 */
let kube: KubeStandIn;
let home: string;

/** Runs the real kubectl with the stand-in's kubeconfig and a fresh HOME (its discovery cache lives there). */
function kubectl(bin: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      { env: { PATH: process.env.PATH ?? '', ...kube.env, HOME: home, KUBECACHEDIR: join(home, 'cache') } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

function writeManifest(name: string, o: unknown): string {
  const p = join(home, name);
  writeFileSync(p, JSON.stringify(o));
  return p;
}

const deployment = (ns: string, env: Array<{ name: string; value: string }>, replicas = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns, labels: { app: 'web', tier: 'front' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25', env }] },
    },
  },
});

export function defineKubectlSuite(version: 'v31' | 'v34'): void {
  const bin = toolPaths()[version].kubectl;
  const ns = version === 'v31' ? 'k31' : 'k34';
  beforeAll(async () => {
    kube = await startKube({ controllers: false });
    home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
  });
  afterAll(async () => {
    await kube.stop();
    rmSync(home, { recursive: true, force: true });
  });
  describe(`kubectl ${version === 'v31' ? '1.31' : '1.34'} against the stand-in`, () => {
    defineTests(bin, ns);
  });
}

function defineTests(bin: string, ns: string): void {
  const run = (...args: string[]): Promise<Run> => kubectl(bin, args);
  const deploymentsType = (): NonNullable<ReturnType<KubeStandIn['store']['types']['get']>> =>
    kube.store.types.get('apps', 'v1', 'deployments')!;
  /** Server state read straight from the store (cheaper than another kubectl process). */
  const stored = (): KubeObject & {
    spec: { replicas: number; template: { spec: { containers: Array<{ env?: unknown }> } } };
  } => kube.store.get(deploymentsType(), ns, 'web') as never;
  const json = async <T = KubeObject>(...args: string[]): Promise<T> => {
    const r = await run(...args, '-o', 'json');
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as T;
  };

  it('creates a namespace (1.34 sends it as protobuf) and lists namespaces as a server-side Table', async () => {
    const created = await run('create', 'namespace', ns);
    expect(created).toMatchObject({ code: 0, stdout: `namespace/${ns} created\n` });
    const post = kube
      .requestLog()
      .filter(
        (e) =>
          e.method === 'POST' && e.path === '/api/v1/namespaces' && e.userAgent.startsWith(`kubectl/v1.${ns.slice(1)}`),
      );
    expect(post.at(-1)?.contentType).toBe(ns === 'k34' ? 'application/vnd.kubernetes.protobuf' : 'application/json');
    const table = await run('get', 'namespaces');
    expect(table.stdout).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    expect(table.stdout).toMatch(new RegExp(`\\n${ns}\\s+Active\\s+\\d+s\\n`));
    const got = await json('get', 'namespace', ns);
    expect(got.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': ns });
    expect(got.status).toEqual({ phase: 'Active' });
  });

  it('server-side apply creates, a re-apply is a no-op, and a dropped field disappears', async () => {
    const first = writeManifest(
      `${ns}-dep1.json`,
      deployment(ns, [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ]),
    );
    expect(await run('apply', '--server-side', '-f', first)).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/web serverside-applied\n',
    });
    const d1 = await json('get', 'deployment', 'web', '-n', ns);
    expect(d1.metadata.generation).toBe(1);
    expect(d1.spec).toMatchObject({ progressDeadlineSeconds: 600, replicas: 2 });

    expect((await run('apply', '--server-side', '-f', first)).code).toBe(0);
    expect(stored().metadata.resourceVersion).toBe(d1.metadata.resourceVersion);

    const second = writeManifest(`${ns}-dep2.json`, deployment(ns, [{ name: 'A', value: '1' }]));
    expect((await run('apply', '--server-side', '-f', second)).code).toBe(0);
    const d3 = stored();
    expect(d3.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
    expect(d3.metadata.generation).toBe(2);

    const other = writeManifest(`${ns}-dep3.json`, deployment(ns, [{ name: 'A', value: '1' }], 5));
    const conflict = await run('apply', '--server-side', '--field-manager', 'someone-else', '-f', other);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toMatch(/conflict with "kubectl".*spec\.replicas/s);
  });

  it('lists with label selectors, prints Tables, and label/annotate --overwrite', async () => {
    const byLabel = await json<{ items: KubeObject[] }>(
      'get',
      'deployments',
      '-n',
      ns,
      '-l',
      'app in (web,api),tier!=back,!missing',
    );
    expect(byLabel.items.map((i) => i.metadata.name)).toEqual(['web']);
    expect((await run('get', 'deployments', '-n', ns)).stdout).toMatch(
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+0\s+0\s+\d+s\n$/,
    );

    const refused = await run('label', 'deployment', 'web', '-n', ns, 'tier=back');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/already has a value \(front\), and --overwrite is false/);
    expect(await run('label', 'deployment', 'web', '-n', ns, 'tier=back', '--overwrite')).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/web labeled\n',
    });
    expect(await run('annotate', 'deployment', 'web', '-n', ns, 'note=two', '--overwrite')).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/web annotated\n',
    });
    const d = stored();
    expect(d.metadata.labels).toMatchObject({ tier: 'back' });
    expect(d.metadata.annotations).toEqual({ note: 'two' });
    expect(d.metadata.generation).toBe(2);
  });

  it('patches with strategic merge, merge and JSON patch, and scales through the scale subresource', async () => {
    expect(
      (
        await run(
          'patch',
          'deployment',
          'web',
          '-n',
          ns,
          '-p',
          '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"C","value":"3"}]}]}}}}',
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await run(
          'patch',
          'deployment',
          'web',
          '-n',
          ns,
          '--type',
          'merge',
          '-p',
          '{"metadata":{"labels":{"tier":null}}}',
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await run(
          'patch',
          'deployment',
          'web',
          '-n',
          ns,
          '--type',
          'json',
          '-p',
          '[{"op":"replace","path":"/spec/replicas","value":3}]',
        )
      ).code,
    ).toBe(0);
    const bad = await run(
      'patch',
      'deployment',
      'web',
      '-n',
      ns,
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/spec/nothing"}]',
    );
    expect(bad.code).not.toBe(0);
    const d = stored();
    expect(d.spec.template.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'C', value: '3' },
    ]);
    expect(d.metadata.labels).toEqual({ app: 'web' });
    expect(d.spec.replicas).toBe(3);
    expect(await run('scale', 'deployment', 'web', '-n', ns, '--replicas=1')).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/web scaled\n',
    });
    expect(stored().spec.replicas).toBe(1);
  });

  it('answers with the real Status errors kubectl prints', async () => {
    const missing = await run('get', 'deployment', 'nope', '-n', ns);
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    });
    const cm = writeManifest(`${ns}-cm.json`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: ns },
      data: { a: '1' },
    });
    expect((await run('create', '-f', cm)).code).toBe(0);
    const again = await run('create', '-f', cm);
    expect(again.stderr).toMatch(/Error from server \(AlreadyExists\).*configmaps "cfg" already exists/);
    const badName = writeManifest(`${ns}-bad.json`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'Bad_Name', namespace: ns },
    });
    expect((await run('create', '-f', badName)).stderr).toMatch(/is invalid: metadata.name: Invalid value: "Bad_Name"/);
    const elsewhere = await run('create', 'configmap', 'x', '-n', `${ns}-missing`);
    expect(elsewhere.stderr).toBe(`error: failed to create configmap: namespaces "${ns}-missing" not found\n`);
    expect((await run('create', 'configmap', 'dry', '-n', ns, '--dry-run=server')).stdout).toMatch(
      /configmap\/dry created \(server dry run\)/,
    );
    expect(kube.store.get(kube.store.types.get('', 'v1', 'configmaps')!, ns, 'dry')).toBeUndefined();
    expect(await run('delete', 'configmap', 'cfg', '-n', ns)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^configmap "cfg" deleted( from k34 namespace)?\n$/),
    });
    expect(await run('delete', 'configmap', 'cfg', '-n', ns, '--ignore-not-found')).toMatchObject({
      code: 0,
      stdout: '',
    });
  });

  it('selects Warning events with a field selector', async () => {
    const ev = (name: string, type: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      type,
      reason: type === 'Warning' ? 'BackOff' : 'Pulled',
      message: `${type} message`,
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: ns },
    });
    const list = { apiVersion: 'v1', kind: 'List', items: [ev('a', 'Warning'), ev('b', 'Normal')] };
    expect(await run('create', '-f', writeManifest(`${ns}-events.json`, list))).toMatchObject({
      code: 0,
      stdout: 'event/a created\nevent/b created\n',
    });
    const warnings = await json<{ items: KubeObject[] }>('get', 'events', '-n', ns, '--field-selector', 'type=Warning');
    expect(warnings.items.map((i) => [i.metadata.name, i.reason])).toEqual([['a', 'BackOff']]);
    const table = await run('get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=web-1');
    expect(table.stdout).toMatch(/LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(table.stdout).toMatch(/Warning\s+BackOff\s+pod\/web-1\s+Warning message/);
  });

  it('creates every generator kind (kubectl 1.34 sends each as protobuf, decoded with its own descriptors)', async () => {
    const n = ['-n', ns];
    for (const args of [
      ['create', 'deployment', 'gen', '--image=nginx:1.25', '--replicas=0', '--port=80'],
      ['create', 'service', 'clusterip', 'gen', '--tcp=80:8080'],
      ['create', 'ingress', 'gen', '--rule=gen.test/*=gen:80'],
      ['create', 'job', 'gen', '--image=busybox', '--', 'echo', 'hi'],
      ['create', 'serviceaccount', 'gen'],
      ['create', 'rolebinding', 'gen', '--clusterrole=view', `--serviceaccount=${ns}:gen`],
      ['create', 'poddisruptionbudget', 'gen', '--selector=app=gen', '--max-unavailable=1'],
    ]) {
      const r = await run(...n, ...args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    if (ns === 'k34') {
      const posts = kube
        .requestLog()
        .filter(
          (e) =>
            e.method === 'POST' &&
            e.userAgent.startsWith('kubectl/v1.34') &&
            e.path.startsWith(`/apis/apps/v1/namespaces/${ns}/`),
        );
      expect(posts.at(-1)?.contentType).toBe('application/vnd.kubernetes.protobuf');
    }
    const t = (g: string, r: string): NonNullable<ReturnType<KubeStandIn['store']['types']['get']>> =>
      kube.store.types.all().find((x) => x.group === g && x.resource === r)!;
    const dep = kube.store.get(t('apps', 'deployments'), ns, 'gen') as KubeObject & {
      spec: Record<string, unknown> & { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    expect(dep.spec.replicas).toBe(0);
    expect(dep.spec.minReadySeconds).toBeUndefined();
    expect(dep.spec.template.spec.containers[0]).toMatchObject({
      name: 'nginx',
      image: 'nginx:1.25',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    });
    expect(kube.store.get(t('', 'services'), ns, 'gen')?.spec).toMatchObject({
      ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }],
      selector: { app: 'gen' },
    });
    expect(kube.store.get(t('networking.k8s.io', 'ingresses'), ns, 'gen')?.spec).toEqual({
      rules: [
        {
          host: 'gen.test',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'gen', port: { number: 80 } } } }],
          },
        },
      ],
    });
    expect(kube.store.get(t('policy', 'poddisruptionbudgets'), ns, 'gen')?.spec).toEqual({
      selector: { matchLabels: { app: 'gen' } },
      maxUnavailable: 1,
    });
    expect(kube.store.get(t('rbac.authorization.k8s.io', 'rolebindings'), ns, 'gen')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'gen', namespace: ns }],
    });
  });

  it('counts requests by verb and resource', () => {
    const c = kube.counters();
    expect(c['create namespaces']).toBeGreaterThanOrEqual(1);
    expect(c['patch deployments']).toBeGreaterThanOrEqual(4);
    expect(c['patch deployments/scale']).toBeGreaterThanOrEqual(1);
    expect(c['GET /api']).toBeGreaterThanOrEqual(1);
  });
}
