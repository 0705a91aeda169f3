/**
 * Discovery: /version, /api, /apis and resource lists, as kubectl and helm read them.
 */
import type { ResourceType } from '../storage/store.js';
import type { TypeRegistry } from '../storage/types.js';

/** The server version the stand-in reports (within kubectl's ±1 minor skew of 1.34; 1.31 only warns in `kubectl version`). */
export const SERVER_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0' };

export function versionInfo(): Record<string, string> {
  return {
    ...SERVER_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Kinds in the `all` category (`kubectl get all`). */
const ALL_CATEGORY = new Set([
  'Pod',
  'Service',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
]);

/** `GET /api`: the core group's versions (the plain, non-aggregated form every client accepts). */
export function coreVersions(hostPort: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }],
  };
}

/** `GET /apis`: APIGroupList. */
export function groupList(types: TypeRegistry): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: types.groups().map(groupOf) };
}

function groupOf(g: { name: string; versions: string[] }): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

/** `GET /apis/<group>`: one APIGroup, or undefined when not served. */
export function group(types: TypeRegistry, name: string): Record<string, unknown> | undefined {
  const g = types.groups().find((x) => x.name === name);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupOf(g) } : undefined;
}

/** `GET /api/v1` or `/apis/<group>/<version>`: APIResourceList with status/scale subresources. */
export function resourceList(
  types: TypeRegistry,
  groupName: string,
  version: string,
): Record<string, unknown> | undefined {
  const list = types.inGroupVersion(groupName, version);
  if (list.length === 0) return undefined;
  const resources: Array<Record<string, unknown>> = [];
  for (const t of list) {
    resources.push(resourceEntry(t));
    for (const sub of t.subresources ?? []) {
      if (sub === 'scale') {
        resources.push({
          name: `${t.resource}/scale`,
          singularName: '',
          namespaced: t.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      } else if (sub === 'status') {
        resources.push({
          name: `${t.resource}/status`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        });
      } else if (sub === 'finalize') {
        resources.push({
          name: `${t.resource}/finalize`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['update'],
        });
      } else if (sub === 'log') {
        resources.push({
          name: `${t.resource}/log`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get'],
        });
      }
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources,
  };
}

function resourceEntry(t: ResourceType): Record<string, unknown> {
  return {
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.kind === 'Namespace' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS,
    ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
    ...(ALL_CATEGORY.has(t.kind) && !t.group.includes('.') ? { categories: ['all'] } : {}),
  };
}
