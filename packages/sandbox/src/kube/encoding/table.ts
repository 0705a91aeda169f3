/**
 * Server-side `meta.k8s.io/v1 Table` output (kubectl get without -o, helm 4 status), with
 * the real printers' columns.
 */
import type { KubeObject, ResourceType } from '../storage/store.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((c, k) => (isObj(c) ? c[k] : undefined), o);
const num = (o: unknown, path: string): number => (typeof get(o, path) === 'number' ? (get(o, path) as number) : 0);
const str = (o: unknown, path: string, dflt = '<none>'): string => {
  const v = get(o, path);
  return v === undefined || v === null || v === '' ? dflt : String(v);
};
const count = (o: unknown, path: string): number => {
  const v = get(o, path);
  return Array.isArray(v) ? v.length : isObj(v) ? Object.keys(v).length : 0;
};

/** Whether an Accept header asks for the server-side Table (kubectl without -o, helm 4 status). */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '') && /g=meta\.k8s\.io/.test(accept ?? '');
}

/** kubectl's duration.HumanDuration, which every AGE column uses. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

type Column = [name: string, type: string, cell: (o: KubeObject, age: string) => unknown, priority?: number];

const ready = (o: KubeObject): string => `${num(o, 'status.readyReplicas')}/${num(o, 'spec.replicas')}`;

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  const statuses = get(o, 'status.containerStatuses');
  if (Array.isArray(statuses)) {
    for (const c of statuses) {
      const waiting = get(c, 'state.waiting.reason');
      if (typeof waiting === 'string' && waiting) return waiting;
      const term = get(c, 'state.terminated.reason');
      if (typeof term === 'string' && term) return term;
    }
  }
  return str(o, 'status.phase', 'Pending');
}

function servicePorts(o: KubeObject): string {
  const ports = get(o, 'spec.ports');
  if (!Array.isArray(ports) || ports.length === 0) return '<none>';
  return ports
    .map(
      (p) => `${str(p, 'port', '')}${get(p, 'nodePort') ? `:${str(p, 'nodePort')}` : ''}/${str(p, 'protocol', 'TCP')}`,
    )
    .join(',');
}

function selectorText(o: unknown, path: string): string {
  const labels = get(o, `${path}.matchLabels`);
  if (!isObj(labels) || Object.keys(labels).length === 0) return '<none>';
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

const name: Column = ['Name', 'string', (o) => o.metadata.name];
const age: Column = ['Age', 'string', (_o, a) => a];

/** Columns per kind, following the real server's printers (pkg/printers/internalversion). */
const COLUMNS: Record<string, Column[]> = {
  Namespace: [name, ['Status', 'string', (o) => str(o, 'status.phase', 'Active')], age],
  Pod: [
    name,
    [
      'Ready',
      'string',
      (o) =>
        `${Array.isArray(get(o, 'status.containerStatuses')) ? (get(o, 'status.containerStatuses') as unknown[]).filter((c) => get(c, 'ready') === true).length : 0}/${count(o, 'spec.containers')}`,
    ],
    ['Status', 'string', podStatus],
    [
      'Restarts',
      'string',
      (o) =>
        String(
          Array.isArray(get(o, 'status.containerStatuses'))
            ? (get(o, 'status.containerStatuses') as unknown[]).reduce<number>((s, c) => s + num(c, 'restartCount'), 0)
            : 0,
        ),
    ],
    age,
    ['IP', 'string', (o) => str(o, 'status.podIP'), 1],
    ['Node', 'string', (o) => str(o, 'spec.nodeName'), 1],
  ],
  Service: [
    name,
    ['Type', 'string', (o) => str(o, 'spec.type', 'ClusterIP')],
    ['Cluster-IP', 'string', (o) => str(o, 'spec.clusterIP')],
    ['External-IP', 'string', () => '<none>'],
    ['Port(s)', 'string', servicePorts],
    age,
    [
      'Selector',
      'string',
      (o) =>
        isObj(get(o, 'spec.selector'))
          ? Object.entries(get(o, 'spec.selector') as Obj)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(',')
          : '<none>',
      1,
    ],
  ],
  ConfigMap: [name, ['Data', 'integer', (o) => count(o, 'data') + count(o, 'binaryData')], age],
  Secret: [
    name,
    ['Type', 'string', (o) => str(o, 'type', 'Opaque')],
    ['Data', 'integer', (o) => count(o, 'data')],
    age,
  ],
  ServiceAccount: [name, ['Secrets', 'integer', (o) => count(o, 'secrets')], age],
  Event: [
    ['Last Seen', 'string', (o, a) => a],
    ['Type', 'string', (o) => str(o, 'type', 'Normal')],
    ['Reason', 'string', (o) => str(o, 'reason', '')],
    [
      'Object',
      'string',
      (o) => `${str(o, 'involvedObject.kind', '').toLowerCase()}/${str(o, 'involvedObject.name', '')}`,
    ],
    ['Message', 'string', (o) => str(o, 'message', '')],
  ],
  PersistentVolumeClaim: [
    name,
    ['Status', 'string', (o) => str(o, 'status.phase', 'Pending')],
    ['Volume', 'string', (o) => str(o, 'spec.volumeName', '')],
    ['Capacity', 'string', (o) => str(o, 'status.capacity.storage', '')],
    [
      'Access Modes',
      'string',
      (o) =>
        Array.isArray(get(o, 'status.accessModes'))
          ? (get(o, 'status.accessModes') as string[])
              .map((m) =>
                m.replace('ReadWriteOnce', 'RWO').replace('ReadOnlyMany', 'ROX').replace('ReadWriteMany', 'RWX'),
              )
              .join(',')
          : '',
    ],
    ['StorageClass', 'string', (o) => str(o, 'spec.storageClassName', '<unset>')],
    age,
  ],
  ResourceQuota: [
    name,
    age,
    [
      'Request',
      'string',
      (o) =>
        Object.entries((get(o, 'status.used') as Obj) ?? {})
          .filter(([k]) => !k.startsWith('limits.'))
          .map(([k, v]) => `${k}: ${String(v)}/${str(o, `spec.hard.${k}`, '?')}`)
          .join(', '),
    ],
  ],
  LimitRange: [name, ['Created At', 'date', (o) => o.metadata.creationTimestamp]],
  Deployment: [
    name,
    ['Ready', 'string', ready],
    ['Up-to-date', 'integer', (o) => num(o, 'status.updatedReplicas')],
    ['Available', 'integer', (o) => num(o, 'status.availableReplicas')],
    age,
  ],
  ReplicaSet: [
    name,
    ['Desired', 'integer', (o) => num(o, 'spec.replicas')],
    ['Current', 'integer', (o) => num(o, 'status.replicas')],
    ['Ready', 'integer', (o) => num(o, 'status.readyReplicas')],
    age,
  ],
  StatefulSet: [name, ['Ready', 'string', ready], age],
  DaemonSet: [
    name,
    ['Desired', 'integer', (o) => num(o, 'status.desiredNumberScheduled')],
    ['Current', 'integer', (o) => num(o, 'status.currentNumberScheduled')],
    ['Ready', 'integer', (o) => num(o, 'status.numberReady')],
    ['Up-to-date', 'integer', (o) => num(o, 'status.updatedNumberScheduled')],
    ['Available', 'integer', (o) => num(o, 'status.numberAvailable')],
    [
      'Node Selector',
      'string',
      (o) =>
        isObj(get(o, 'spec.template.spec.nodeSelector'))
          ? Object.entries(get(o, 'spec.template.spec.nodeSelector') as Obj)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(',')
          : '<none>',
    ],
    age,
  ],
  Job: [
    name,
    [
      'Status',
      'string',
      (o) =>
        num(o, 'status.succeeded') >= num(o, 'spec.completions') && num(o, 'spec.completions') > 0
          ? 'Complete'
          : num(o, 'status.failed') > num(o, 'spec.backoffLimit')
            ? 'Failed'
            : 'Running',
    ],
    ['Completions', 'string', (o) => `${num(o, 'status.succeeded')}/${num(o, 'spec.completions') || 1}`],
    [
      'Duration',
      'string',
      (o) =>
        get(o, 'status.completionTime') && get(o, 'status.startTime')
          ? humanDuration(Date.parse(str(o, 'status.completionTime')) - Date.parse(str(o, 'status.startTime')))
          : '',
    ],
    age,
  ],
  CronJob: [
    name,
    ['Schedule', 'string', (o) => str(o, 'spec.schedule', '')],
    ['Timezone', 'string', (o) => str(o, 'spec.timeZone')],
    ['Suspend', 'boolean', (o) => get(o, 'spec.suspend') === true],
    ['Active', 'integer', (o) => count(o, 'status.active')],
    ['Last Schedule', 'string', (o) => str(o, 'status.lastScheduleTime')],
    age,
  ],
  Ingress: [
    name,
    ['Class', 'string', (o) => str(o, 'spec.ingressClassName')],
    [
      'Hosts',
      'string',
      (o) =>
        Array.isArray(get(o, 'spec.rules'))
          ? (get(o, 'spec.rules') as unknown[]).map((r) => str(r, 'host', '*')).join(',')
          : '*',
    ],
    [
      'Address',
      'string',
      (o) =>
        Array.isArray(get(o, 'status.loadBalancer.ingress'))
          ? (get(o, 'status.loadBalancer.ingress') as unknown[])
              .map((i) => str(i, 'hostname', str(i, 'ip', '')))
              .join(',')
          : '',
    ],
    ['Ports', 'string', (o) => (count(o, 'spec.tls') > 0 ? '80, 443' : '80')],
    age,
  ],
  NetworkPolicy: [name, ['Pod-Selector', 'string', (o) => selectorText(o, 'spec.podSelector')], age],
  HorizontalPodAutoscaler: [
    name,
    [
      'Reference',
      'string',
      (o) => `${str(o, 'spec.scaleTargetRef.kind', '')}/${str(o, 'spec.scaleTargetRef.name', '')}`,
    ],
    ['Targets', 'string', () => '<unknown>'],
    ['MinPods', 'string', (o) => str(o, 'spec.minReplicas', '1')],
    ['MaxPods', 'integer', (o) => num(o, 'spec.maxReplicas')],
    ['Replicas', 'integer', (o) => num(o, 'status.currentReplicas')],
    age,
  ],
  PodDisruptionBudget: [
    name,
    ['Min Available', 'string', (o) => str(o, 'spec.minAvailable', 'N/A')],
    ['Max Unavailable', 'string', (o) => str(o, 'spec.maxUnavailable', 'N/A')],
    ['Allowed Disruptions', 'integer', (o) => num(o, 'status.disruptionsAllowed')],
    age,
  ],
  Role: [name, ['Created At', 'date', (o) => o.metadata.creationTimestamp]],
  RoleBinding: [name, ['Role', 'string', (o) => `${str(o, 'roleRef.kind', '')}/${str(o, 'roleRef.name', '')}`], age],
};

/**
 * A `meta.k8s.io/v1 Table` of objects. `includeObject` follows the query parameter of the same
 * name: Metadata (default) embeds PartialObjectMetadata, Object the full object, None nothing.
 */
export function toTable(
  t: ResourceType,
  objects: KubeObject[],
  opts: { now: number; resourceVersion: string; includeObject?: string },
): KubeObject {
  const columns = COLUMNS[t.kind] ?? [name, age];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: opts.resourceVersion } as KubeObject['metadata'],
    columnDefinitions: columns.map(([n, type, , priority]) => ({
      name: n,
      type,
      format: n === 'Name' ? 'name' : '',
      description: n === 'Name' ? 'Name must be unique within a namespace.' : n,
      priority: priority ?? 0,
    })),
    rows: objects.map((o) => {
      const a = humanDuration(opts.now - Date.parse(o.metadata.creationTimestamp ?? new Date(opts.now).toISOString()));
      const row: Obj = { cells: columns.map(([, , cell]) => cell(o, a)) };
      if (opts.includeObject === 'Object') row.object = o;
      else if (opts.includeObject !== 'None') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      }
      return row;
    }),
  };
}
