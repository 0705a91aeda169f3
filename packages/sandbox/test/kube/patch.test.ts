import { describe, expect, it } from 'vitest';
import { fieldSet, fromFieldsV1, recordUpdate, serverSideApply } from '../../src/kube/verbs/apply.js';
import { ApiError } from '../../src/kube/server/errors.js';
import { jsonMergePatch, jsonPatch, strategicMerge } from '../../src/kube/verbs/patch.js';
import type { KubeObject } from '../../src/kube/storage/store.js';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'app', labels: { app: 'web' }, finalizers: ['a'] },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80 }],
            args: ['-a', '-b'],
          },
          { name: 'side', image: 'busybox' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    },
  },
});

const containers = (o: unknown): Array<Record<string, unknown>> =>
  (o as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }).spec.template.spec.containers;

describe('JSON merge patch (RFC 7386)', () => {
  it('merges maps, deletes on null and replaces lists whole', () => {
    const out = jsonMergePatch(deployment(), {
      metadata: { labels: { app: null, tier: 'x' } },
      spec: { template: { spec: { volumes: [] } } },
    }) as KubeObject;
    expect(out.metadata.labels).toEqual({ tier: 'x' });
    expect((out.spec as { template: { spec: { volumes: unknown[] } } }).template.spec.volumes).toEqual([]);
    expect(containers(out)).toHaveLength(2);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies add/replace/remove/move/copy/test in order, with ~1 escapes and "-"', () => {
    const out = jsonPatch(deployment(), [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 4 },
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'b' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
    ]) as KubeObject;
    expect((out.spec as { replicas: number }).replicas).toBe(4);
    expect(out.metadata.labels).toEqual({ app: 'web', 'app.kubernetes.io/name': 'web', moved: 'web' });
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    expect(containers(out).map((c) => c.name)).toEqual(['web']);
  });

  it('a failed test or a missing path is a 422, and nothing is half-applied', () => {
    const before = deployment();
    expect(() =>
      jsonPatch(before, [
        { op: 'replace', path: '/spec/replicas', value: 9 },
        { op: 'test', path: '/spec/replicas', value: 2 },
      ]),
    ).toThrow(ApiError);
    expect(() => jsonPatch(before, [{ op: 'remove', path: '/spec/nothing' }])).toThrow(/missing value/);
    expect((before.spec as { replicas: number }).replicas).toBe(2);
  });
});

describe('strategic merge patch', () => {
  it('merges containers and env by name, container ports by containerPort, keeps atomic lists atomic', () => {
    const out = strategicMerge(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:2',
                env: [{ name: 'C', value: '3' }],
                ports: [{ containerPort: 80, name: 'http' }],
                args: ['-z'],
              },
            ],
          },
        },
      },
    });
    const web = containers(out)[0];
    expect(containers(out).map((c) => c.name)).toEqual(['web', 'side']);
    expect(web.image).toBe('nginx:2');
    expect(web.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
      { name: 'C', value: '3' },
    ]);
    expect(web.ports).toEqual([{ containerPort: 80, name: 'http' }]);
    expect(web.args).toEqual(['-z']);
  });

  it('honours $patch delete/replace, $setElementOrder, $retainKeys and $deleteFromPrimitiveList as helm 3 sends them', () => {
    const out = strategicMerge(deployment(), {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }],
            containers: [
              {
                name: 'web',
                '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }],
                env: [
                  { name: 'A', $patch: 'delete' },
                  { name: 'B', value: '22' },
                ],
              },
            ],
            volumes: [{ name: 'data', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }],
          },
        },
      },
    });
    expect((out as KubeObject).metadata.finalizers).toBeUndefined();
    expect(containers(out).map((c) => c.name)).toEqual(['side', 'web']);
    expect(containers(out)[1].env).toEqual([{ name: 'B', value: '22' }]);
    expect((out as { spec: { template: { spec: { volumes: unknown[] } } } }).spec.template.spec.volumes).toEqual([
      { name: 'data', configMap: { name: 'cm' } },
    ]);

    const replaced = strategicMerge(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } },
    });
    expect(containers(replaced)).toEqual([{ name: 'only', image: 'x' }]);
    const mapReplaced = strategicMerge(deployment(), {
      metadata: { labels: { $patch: 'replace', fresh: 'y' } },
    }) as KubeObject;
    expect(mapReplaced.metadata.labels).toEqual({ fresh: 'y' });
  });

  it('merges Service ports by port and finalizers as a set', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] }, metadata: { finalizers: ['a'] } };
    const out = strategicMerge(svc, {
      spec: { ports: [{ port: 80, targetPort: 9090 }] },
      metadata: { finalizers: ['a', 'b'] },
    }) as { spec: { ports: unknown[] }; metadata: { finalizers: string[] } };
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443 }]);
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
  });
});

describe('server-side apply', () => {
  const now = '2026-01-01T00:00:00Z';
  const cfg = (env: Array<{ name: string; value: string }>, annotations?: Record<string, string>): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'app', ...(annotations ? { annotations } : {}) },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1', env }] } } },
  });

  it('records the applied fields in fieldsV1 form, keyed list items included', () => {
    const fields = [...fieldSet(cfg([{ name: 'A', value: '1' }]))].map((f) => f.split('\u0000').join('/'));
    expect(fields).toEqual(
      expect.arrayContaining([
        'f:spec/f:replicas',
        'f:spec/f:template/f:spec/f:containers/k:{"name":"web"}',
        'f:spec/f:template/f:spec/f:containers/k:{"name":"web"}/f:env/k:{"name":"A"}/f:value',
      ]),
    );
  });

  it('drops the fields a manager stopped applying (helm 4 rollback) but keeps what others set', () => {
    const first = serverSideApply(
      undefined,
      cfg(
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        { keep: 'x' },
      ),
      'helm',
      false,
      now,
    );
    const live = {
      ...first.object,
      metadata: { ...first.object.metadata, managedFields: first.managedFields, labels: { byHand: 'y' } },
    } as KubeObject;
    const second = serverSideApply(live, cfg([{ name: 'A', value: '1' }]), 'helm', false, now);
    expect(containers(second.object)[0].env).toEqual([{ name: 'A', value: '1' }]);
    expect(second.object.metadata.annotations).toBeUndefined();
    expect(second.object.metadata.labels).toEqual({ byHand: 'y' });
    expect(second.managedFields).toHaveLength(1);
    expect(second.managedFields[0]).toMatchObject({
      manager: 'helm',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
    });
  });

  it('a field another apply manager owns with a different value is a 409 unless forced', () => {
    const a = serverSideApply(undefined, cfg([]), 'helm', false, now);
    const live = { ...a.object, metadata: { ...a.object.metadata, managedFields: a.managedFields } } as KubeObject;
    const other = { ...cfg([]), spec: { replicas: 5 } } as KubeObject;
    expect(() => serverSideApply(live, other, 'kubectl', false, now)).toThrow(
      /Apply failed with 1 conflict: conflict with "helm" using apps\/v1: \.spec\.replicas/,
    );
    const forced = serverSideApply(live, other, 'kubectl', true, now);
    expect((forced.object.spec as { replicas: number }).replicas).toBe(5);
    const same = { ...cfg([]), spec: { replicas: 1 } } as KubeObject;
    expect(() => serverSideApply(live, same, 'kubectl', false, now)).not.toThrow();
  });

  it('Update writes own what they set or change; applying a different value over them conflicts', () => {
    const created = cfg([{ name: 'A', value: '1' }]);
    const afterCreate = recordUpdate(undefined, 'kubectl-create', undefined, created, now);
    expect(afterCreate).toEqual([
      expect.objectContaining({ manager: 'kubectl-create', operation: 'Update', time: now }),
    ]);
    const scaled = { ...created, spec: { ...(created.spec as object), replicas: 3 } } as KubeObject;
    const afterScale = recordUpdate(afterCreate, 'kubectl-scale', created, scaled, '2026-01-02T00:00:00Z');
    const owners = Object.fromEntries(
      afterScale.map((e) => [e.manager, [...fromFieldsV1(e.fieldsV1)].map((f) => f.split('\u0000').join('/'))]),
    );
    expect(owners['kubectl-scale']).toEqual(['f:spec/f:replicas']);
    expect(owners['kubectl-create']).not.toContain('f:spec/f:replicas');
    expect(recordUpdate(afterScale, 'kubectl-scale', scaled, scaled, 'later')).toEqual(afterScale);

    const live = { ...scaled, metadata: { ...scaled.metadata, managedFields: afterScale } } as KubeObject;
    expect(() => serverSideApply(live, cfg([{ name: 'A', value: '1' }]), 'helm', false, now)).toThrow(
      /conflict with "kubectl-scale" using apps\/v1: \.spec\.replicas/,
    );
    const image = {
      ...cfg([{ name: 'A', value: '1' }]),
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } },
    } as KubeObject;
    expect(() => serverSideApply(live, image, 'helm', false, now)).toThrow(
      /^Apply failed with 1 conflict: conflict with "kubectl-create" using apps\/v1: \.spec\.template\.spec\.containers\[name="web"\]\.image$/,
    );
  });
});
