import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeObject, type KubeStandIn } from '../../src/kube/index.js';

/** The stand-in's HTTP contract as client-go sees it, without spawning binaries (those are in api-kubectl.itg). */
let kube: KubeStandIn;

beforeAll(async () => {
  kube = await startKube({ controllers: false });
  await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
});

afterAll(async () => {
  await kube.stop();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${kube.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
    headers: res.headers,
  };
}

const cm = (name: string, data: Record<string, string> = { a: '1' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'app' },
  data,
});

describe('discovery and openapi', () => {
  it('serves plain discovery even when aggregated discovery is asked for', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const apis = await call('GET', '/apis', undefined, { accept });
    expect(apis.headers.get('content-type')).toBe('application/json');
    expect(apis.json.kind).toBe('APIGroupList');
    const names = (apis.json.groups as Array<{ name: string }>).map((g) => g.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'apps',
        'batch',
        'networking.k8s.io',
        'autoscaling',
        'policy',
        'rbac.authorization.k8s.io',
      ]),
    );
    const apps = await call('GET', '/apis/apps/v1');
    const resources = (apps.json.resources as Array<{ name: string; kind: string }>).map((r) => r.name);
    expect(resources).toEqual(
      expect.arrayContaining([
        'deployments',
        'deployments/status',
        'deployments/scale',
        'statefulsets',
        'daemonsets',
        'replicasets',
      ]),
    );
    expect((await call('GET', '/apis/nope.example.com/v1')).status).toBe(404);
  });

  it('points /openapi/v3 at per-group documents whose PATCH carries the GVK and fieldValidation', async () => {
    const index = await call('GET', '/openapi/v3');
    const url = (index.json.paths as Record<string, { serverRelativeURL: string }>)['apis/apps/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const doc = await call('GET', url);
    const patch = (
      doc.json.paths as Record<
        string,
        { patch?: { 'x-kubernetes-group-version-kind': unknown; parameters: Array<{ name: string }> } }
      >
    )['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch!;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.map((p) => p.name)).toContain('fieldValidation');
  });

  it('lists a registered custom resource in discovery and serves it', async () => {
    kube.registerCustomResource({
      group: 'argoproj.io',
      version: 'v1alpha1',
      resource: 'applications',
      kind: 'Application',
      singular: 'application',
      namespaced: true,
      shortNames: ['app'],
    });
    expect(((await call('GET', '/apis')).json.groups as Array<{ name: string }>).map((g) => g.name)).toContain(
      'argoproj.io',
    );
    const created = await call('POST', '/apis/argoproj.io/v1alpha1/namespaces/app/applications', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web' },
      spec: { anything: { goes: true } },
    });
    expect(created.status).toBe(201);
    const smp = await call(
      'PATCH',
      '/apis/argoproj.io/v1alpha1/namespaces/app/applications/web',
      { spec: {} },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(smp.status).toBe(415);
    const merge = await call(
      'PATCH',
      '/apis/argoproj.io/v1alpha1/namespaces/app/applications/web',
      { spec: { more: 1 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(merge.json.spec).toEqual({ anything: { goes: true }, more: 1 });
  });
});

describe('writes', () => {
  it('returns Status objects with the real reasons and codes', async () => {
    expect((await call('POST', '/api/v1/namespaces/app/configmaps', cm('one'))).status).toBe(201);
    const dup = await call('POST', '/api/v1/namespaces/app/configmaps', cm('one'));
    expect(dup).toMatchObject({
      status: 409,
      json: {
        kind: 'Status',
        status: 'Failure',
        reason: 'AlreadyExists',
        code: 409,
        details: { name: 'one', kind: 'configmaps' },
      },
    });
    const missing = await call('GET', '/api/v1/namespaces/app/configmaps/nope');
    expect(missing.json).toMatchObject({ reason: 'NotFound', code: 404, message: 'configmaps "nope" not found' });
    const stale = await call('PUT', '/api/v1/namespaces/app/configmaps/one', {
      ...cm('one', { a: '2' }),
      metadata: { name: 'one', namespace: 'app', resourceVersion: '1' },
    });
    expect(stale.json).toMatchObject({ reason: 'Conflict', code: 409 });
    const invalid = await call('POST', '/apis/apps/v1/namespaces/app/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    });
    expect(invalid.json).toMatchObject({ reason: 'Invalid', code: 422 });
    expect(String(invalid.json.message)).toMatch(/`selector` does not match template `labels`/);
    const media = await call('POST', '/api/v1/namespaces/app/configmaps', 'x: y', { 'content-type': 'text/plain' });
    expect(media.json).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
    const nsMissing = await call('POST', '/api/v1/namespaces/elsewhere/configmaps', {
      ...cm('x'),
      metadata: { name: 'x' },
    });
    expect(nsMissing.json).toMatchObject({ reason: 'NotFound', message: 'namespaces "elsewhere" not found' });
  });

  it('fieldValidation Strict rejects unknown fields, Warn answers with Warning headers', async () => {
    const body = { ...cm('fv'), spce: {} };
    const strict = await call('POST', '/api/v1/namespaces/app/configmaps?fieldValidation=Strict', body);
    expect(strict).toMatchObject({
      status: 400,
      json: {
        reason: 'BadRequest',
        message:
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spce"',
      },
    });
    const warn = await call('POST', '/api/v1/namespaces/app/configmaps?fieldValidation=Warn', body);
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"spce\\""');
  });

  it('dryRun=All validates and answers without storing', async () => {
    const dry = await call('POST', '/api/v1/namespaces/app/configmaps?dryRun=All', cm('dry'));
    expect(dry.status).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/app/configmaps/dry')).status).toBe(404);
  });

  it('serves Tables with PartialObjectMetadata rows unless includeObject says otherwise', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const table = await call('GET', '/api/v1/namespaces/app/configmaps', undefined, { accept });
    expect(table.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect((table.json.columnDefinitions as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'Name',
      'Data',
      'Age',
    ]);
    const row = (table.json.rows as Array<{ cells: unknown[]; object: KubeObject }>)[0];
    expect(row.object.kind).toBe('PartialObjectMetadata');
    const full = await call('GET', '/api/v1/namespaces/app/configmaps?includeObject=Object', undefined, { accept });
    expect((full.json.rows as Array<{ object: KubeObject }>)[0].object.kind).toBe('ConfigMap');
  });

  it('deletes with a Status, and DELETE of what is gone is a 404', async () => {
    await call('POST', '/api/v1/namespaces/app/configmaps', cm('gone'));
    const del = await call('DELETE', '/api/v1/namespaces/app/configmaps/gone');
    expect(del.json).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'gone', kind: 'configmaps' },
    });
    expect((await call('DELETE', '/api/v1/namespaces/app/configmaps/gone')).status).toBe(404);
  });

  it('server-side apply over HTTP drops what the manager stopped applying; an explicit managedFields write is honoured', async () => {
    const url = '/apis/apps/v1/namespaces/app/deployments/ssa?fieldManager=helm&fieldValidation=Strict&force=false';
    const apply = (annotations: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> =>
      call(
        'PATCH',
        url,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'ssa' },
          spec: {
            selector: { matchLabels: { app: 'ssa' } },
            template: {
              metadata: { labels: { app: 'ssa' }, annotations },
              spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
            },
          },
        },
        { 'content-type': 'application/apply-patch+yaml' },
      );
    expect((await apply({ keep: '1' })).status).toBe(201);
    expect((await apply({ keep: '1', scenario: 'x' })).status).toBe(200);
    const back = await apply({ keep: '1' });
    expect(
      (back.json.spec as { template: { metadata: { annotations: unknown } } }).template.metadata.annotations,
    ).toEqual({ keep: '1' });
    const fields = [
      {
        manager: 'helm',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ];
    const patched = await call(
      'PATCH',
      '/apis/apps/v1/namespaces/app/deployments/ssa?fieldManager=helm',
      [{ op: 'replace', path: '/metadata/managedFields', value: fields }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect((patched.json.metadata as { managedFields: unknown }).managedFields).toEqual(fields);
  });

  it('counts and logs every request', () => {
    expect(kube.counters()['create configmaps']).toBeGreaterThanOrEqual(5);
    expect(kube.requestLog().some((e) => e.method === 'GET' && e.path === '/apis' && e.status === 200)).toBe(true);
  });
});
