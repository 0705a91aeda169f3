/**
 * The defaults the real apiserver fills in on every write (Service clusterIP, pod template
 * fields, strategies).
 */
import type { KubeObject, ResourceType } from './store.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}

function dflt(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

let nextClusterIp = 10;

/**
 * The defaults the real apiserver fills in on every write (create and update alike, so a
 * client that omits them does not cause a spurious change). `previous` is the stored object on
 * update: allocated values such as a Service's clusterIP are carried over.
 */
export function applyDefaults(t: ResourceType, o: KubeObject, previous: KubeObject | undefined): void {
  const spec = isObj(o.spec) ? o.spec : undefined;
  switch (`${t.group}/${t.kind}`) {
    case '/Namespace': {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
      const s = obj(o as Obj, 'spec');
      dflt(s, 'finalizers', ['kubernetes']);
      const st = obj(o as Obj, 'status');
      dflt(st, 'phase', 'Active');
      break;
    }
    case '/Secret': {
      dflt(o as Obj, 'type', 'Opaque');
      // the real server folds stringData into data and never stores it
      if (isObj(o.stringData)) {
        const data = obj(o as Obj, 'data');
        for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      }
      delete o.stringData;
      break;
    }
    case '/Service': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'type', 'ClusterIP');
      dflt(s, 'sessionAffinity', 'None');
      if (s.type !== 'ExternalName') {
        const prevSpec = isObj(previous?.spec) ? previous.spec : {};
        if (!s.clusterIP) s.clusterIP = prevSpec.clusterIP ?? allocateIp();
        dflt(s, 'clusterIPs', [s.clusterIP]);
        dflt(s, 'ipFamilies', ['IPv4']);
        dflt(s, 'ipFamilyPolicy', 'SingleStack');
        dflt(s, 'internalTrafficPolicy', 'Cluster');
      }
      if (Array.isArray(s.ports)) {
        for (const p of s.ports) {
          if (!isObj(p)) continue;
          dflt(p, 'protocol', 'TCP');
          dflt(p, 'targetPort', p.port);
        }
      }
      dflt(o as Obj, 'status', { loadBalancer: {} });
      break;
    }
    case '/Pod':
      if (spec) podSpec(spec);
      break;
    case '/PersistentVolumeClaim':
      if (spec) dflt(spec, 'volumeMode', 'Filesystem');
      break;
    case 'apps/Deployment': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'replicas', 1);
      dflt(s, 'revisionHistoryLimit', 10);
      dflt(s, 'progressDeadlineSeconds', 600);
      const strategy = obj(s, 'strategy');
      dflt(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') {
        const ru = obj(strategy, 'rollingUpdate');
        dflt(ru, 'maxUnavailable', '25%');
        dflt(ru, 'maxSurge', '25%');
      }
      template(s);
      break;
    }
    case 'apps/ReplicaSet': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'replicas', 1);
      template(s);
      break;
    }
    case 'apps/StatefulSet': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'replicas', 1);
      dflt(s, 'podManagementPolicy', 'OrderedReady');
      dflt(s, 'revisionHistoryLimit', 10);
      const us = obj(s, 'updateStrategy');
      dflt(us, 'type', 'RollingUpdate');
      if (us.type === 'RollingUpdate') dflt(obj(us, 'rollingUpdate'), 'partition', 0);
      const retention = obj(s, 'persistentVolumeClaimRetentionPolicy');
      dflt(retention, 'whenDeleted', 'Retain');
      dflt(retention, 'whenScaled', 'Retain');
      if (Array.isArray(s.volumeClaimTemplates)) {
        for (const v of s.volumeClaimTemplates) {
          if (!isObj(v)) continue;
          dflt(v, 'apiVersion', 'v1');
          dflt(v, 'kind', 'PersistentVolumeClaim');
          dflt(obj(v, 'spec'), 'volumeMode', 'Filesystem');
          dflt(v, 'status', { phase: 'Pending' });
        }
      }
      template(s);
      break;
    }
    case 'apps/DaemonSet': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'revisionHistoryLimit', 10);
      const us = obj(s, 'updateStrategy');
      dflt(us, 'type', 'RollingUpdate');
      if (us.type === 'RollingUpdate') {
        const ru = obj(us, 'rollingUpdate');
        dflt(ru, 'maxUnavailable', 1);
        dflt(ru, 'maxSurge', 0);
      }
      template(s);
      break;
    }
    case 'batch/Job': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'parallelism', 1);
      dflt(s, 'completions', 1);
      dflt(s, 'backoffLimit', 6);
      dflt(s, 'completionMode', 'NonIndexed');
      dflt(s, 'suspend', false);
      const uid = o.metadata.uid ?? '';
      const tpl = obj(s, 'template');
      const tm = obj(tpl, 'metadata');
      const labels = { ...(isObj(tm.labels) ? (tm.labels as Record<string, string>) : {}) };
      if (uid && s.manualSelector !== true) {
        labels['batch.kubernetes.io/controller-uid'] = uid;
        labels['batch.kubernetes.io/job-name'] = o.metadata.name;
        labels['controller-uid'] = uid;
        labels['job-name'] = o.metadata.name;
        tm.labels = labels;
        dflt(s, 'selector', { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
      }
      template(s, 'Never');
      break;
    }
    case 'batch/CronJob': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'concurrencyPolicy', 'Allow');
      dflt(s, 'suspend', false);
      dflt(s, 'successfulJobsHistoryLimit', 3);
      dflt(s, 'failedJobsHistoryLimit', 1);
      const jt = obj(s, 'jobTemplate');
      const js = obj(jt, 'spec');
      dflt(js, 'backoffLimit', 6);
      template(js, 'Never');
      break;
    }
    case 'networking.k8s.io/NetworkPolicy': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'policyTypes', Array.isArray(s.egress) ? ['Ingress', 'Egress'] : ['Ingress']);
      break;
    }
    case 'autoscaling/HorizontalPodAutoscaler': {
      const s = obj(o as Obj, 'spec');
      dflt(s, 'minReplicas', 1);
      break;
    }
    default:
      break;
  }
}

function template(spec: Obj, restartPolicy = 'Always'): void {
  const tpl = obj(spec, 'template');
  const meta = obj(tpl, 'metadata');
  dflt(meta, 'creationTimestamp', null);
  podSpec(obj(tpl, 'spec'), restartPolicy);
}

function podSpec(s: Obj, restartPolicy = 'Always'): void {
  dflt(s, 'restartPolicy', restartPolicy);
  dflt(s, 'terminationGracePeriodSeconds', 30);
  dflt(s, 'dnsPolicy', 'ClusterFirst');
  dflt(s, 'securityContext', {});
  dflt(s, 'schedulerName', 'default-scheduler');
  if (typeof s.serviceAccountName === 'string') dflt(s, 'serviceAccount', s.serviceAccountName);
  for (const list of ['containers', 'initContainers']) {
    if (!Array.isArray(s[list])) continue;
    for (const c of s[list] as unknown[]) {
      if (!isObj(c)) continue;
      dflt(c, 'terminationMessagePath', '/dev/termination-log');
      dflt(c, 'terminationMessagePolicy', 'File');
      const image = typeof c.image === 'string' ? c.image : '';
      const tag = image.includes('@') ? 'digest' : image.split('/').pop()?.split(':')[1];
      dflt(c, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent');
      dflt(c, 'resources', {});
      if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) dflt(p, 'protocol', 'TCP');
    }
  }
}

function allocateIp(): string {
  const n = nextClusterIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}
