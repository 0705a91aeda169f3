/**
 * Pods as workload controllers create them and as kubelets would run them, scenarios included.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../server/errors.js';
import { OBJECT_SCENARIOS, SCENARIO_ANNOTATION, type ObjectScenario } from '../scenarios.js';
import { apiVersionOf, type KubeObject } from '../storage/store.js';
import {
  controllerOf,
  controllerRef,
  iso,
  isObj,
  NODE_NAME,
  recordEvent,
  setCondition,
  type Condition,
  type Ctl,
  type Obj,
} from './common.js';

/** When the stand-in first saw each pod (ms), by uid: container start is timed from it. */
const born = new Map<string, number>();
let nextPodIp = 2;

export function forgetPod(uid: string | undefined): void {
  if (uid) born.delete(uid);
}

/**
 * Creates a pod from `template` for `owner`, as a workload controller does: labels and
 * annotations from the template, a controller ownerReference, LimitRange defaults, bound to the
 * sandbox node. Quota or a terminating namespace refuse it like admission does, which the owner
 * reports as a `FailedCreate` Warning event. Returns the pod, or undefined when refused.
 */
export function createPod(
  ctl: Ctl,
  owner: KubeObject,
  template: Obj,
  name: string,
  labels: Record<string, string> = {},
): KubeObject | undefined {
  const tm = (isObj(template.metadata) ? template.metadata : {}) as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const spec = structuredClone((isObj(template.spec) ? template.spec : {}) as Obj);
  spec.nodeName = NODE_NAME;
  applyLimitRangeDefaults(ctl, owner.metadata.namespace ?? 'default', spec);
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(tm.labels ?? {}), ...labels },
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec,
    status: { phase: 'Pending', qosClass: qosClass(spec) },
  };
  const podType = ctl.type('', 'pods');
  const nsType = ctl.type('', 'namespaces');
  if (ctl.store.get(nsType, undefined, owner.metadata.namespace ?? 'default')?.metadata.deletionTimestamp)
    return undefined;
  try {
    ctl.scenarios.admitCreate(ctl.store, podType, pod);
    const created = ctl.store.create(podType, pod);
    recordEvent(ctl, owner, {
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: `Created pod: ${name}`,
      component: componentFor(owner.kind),
    });
    return created;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    recordEvent(ctl, owner, {
      type: 'Warning',
      reason: 'FailedCreate',
      message: `Error creating: ${err.message}`,
      component: componentFor(owner.kind),
    });
    return undefined;
  }
}

function componentFor(kind: string): string {
  return (
    {
      ReplicaSet: 'replicaset-controller',
      StatefulSet: 'statefulset-controller',
      DaemonSet: 'daemonset-controller',
      Job: 'job-controller',
    }[kind] ?? 'controller-manager'
  );
}

function qosClass(spec: Obj): string {
  const containers = (Array.isArray(spec.containers) ? spec.containers : []) as Array<{
    resources?: { requests?: Obj; limits?: Obj };
  }>;
  const any = containers.some(
    (c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    ['cpu', 'memory'].every(
      (r) =>
        c.resources?.limits?.[r] !== undefined &&
        (c.resources?.requests?.[r] ?? c.resources?.limits?.[r]) === c.resources?.limits?.[r],
    ),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The LimitRanger admission plugin: containers without requests/limits get the namespace's defaults. */
function applyLimitRangeDefaults(ctl: Ctl, namespace: string, spec: Obj): void {
  const lrType = ctl.store.types.get('', 'v1', 'limitranges');
  if (!lrType) return;
  for (const lr of ctl.store.list(lrType, namespace)) {
    const limits =
      (lr.spec as { limits?: Array<{ type?: string; default?: Obj; defaultRequest?: Obj }> } | undefined)?.limits ?? [];
    for (const l of limits.filter((x) => x.type === 'Container')) {
      for (const c of (Array.isArray(spec.containers) ? spec.containers : []) as Array<{
        resources?: { requests?: Obj; limits?: Obj };
      }>) {
        c.resources ??= {};
        if (l.default) c.resources.limits = { ...l.default, ...(c.resources.limits ?? {}) };
        const req = l.defaultRequest ?? l.default;
        if (req) c.resources.requests = { ...req, ...(c.resources.requests ?? {}) };
      }
    }
  }
}

/**
 * A pod's scenario: its own annotation (from the pod template), else its controller's (ReplicaSet,
 * Job, …) and that one's controller's (the Deployment), else the namespace knob.
 */
function scenarioOf(ctl: Ctl, pod: KubeObject): ObjectScenario | undefined {
  let o: KubeObject | undefined = pod;
  for (let depth = 0; o && depth < 3; depth++) {
    const own = o.metadata.annotations?.[SCENARIO_ANNOTATION];
    if (own !== undefined && (OBJECT_SCENARIOS as readonly string[]).includes(own)) return own as ObjectScenario;
    const ref = controllerOf(o);
    const t = ref
      ? ctl.store.types.all().find((x) => x.kind === ref.kind && apiVersionOf(x) === ref.apiVersion)
      : undefined;
    o = t && ref ? ctl.store.get(t, pod.metadata.namespace, ref.name) : undefined;
  }
  return ctl.scenarios.scenarioFor(pod);
}

export function podReady(p: KubeObject): boolean {
  const st = p.status as { phase?: string; conditions?: Condition[] } | undefined;
  return st?.phase === 'Running' && (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function podPhase(p: KubeObject): string {
  return (p.status as { phase?: string } | undefined)?.phase ?? 'Pending';
}

const hex = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);

type Container = { name: string; image?: string };
type Stage = 'pending' | 'starting' | 'ready' | 'image-pull-backoff' | 'crash-loop' | 'succeeded' | 'failed';

/**
 * The kubelet, for one pod: Pending until the container "starts" (delayMs after it appeared),
 * then Running and Ready — or what its scenario says (waiting in ImagePullBackOff or
 * CrashLoopBackOff with the kubelet's Warning events, slow to become ready, a Job pod that fails).
 */
export function reconcilePod(ctl: Ctl, pod: KubeObject): void {
  const uid = pod.metadata.uid ?? '';
  if (pod.metadata.deletionTimestamp) return;
  const phase = podPhase(pod);
  if (phase === 'Succeeded' || phase === 'Failed') return;
  const now = ctl.now();
  if (!born.has(uid)) born.set(uid, now);
  const since = born.get(uid) ?? now;
  const age = now - since;
  const scenario = scenarioOf(ctl, pod);
  // Job pods and bare pods that do not restart (helm test hooks, one-off `kubectl run --restart=Never`) run to completion.
  const restartPolicy = (pod.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? 'Always';
  const jobPod = controllerOf(pod)?.kind === 'Job' || restartPolicy !== 'Always';
  const started = since + ctl.delayMs;
  let stage: Stage;
  if (age < ctl.delayMs) {
    stage = 'pending';
    ctl.requeue(`Pod/${pod.metadata.namespace}/${pod.metadata.name}`, ctl.delayMs - age);
  } else if (jobPod) stage = scenario === 'job-fails' || scenario === 'crash-loop' ? 'failed' : 'succeeded';
  else if (scenario === 'image-pull-backoff') stage = 'image-pull-backoff';
  else if (scenario === 'crash-loop') stage = 'crash-loop';
  else if (scenario === 'slow' && age < ctl.delayMs * 5) {
    stage = 'starting';
    ctl.requeue(`Pod/${pod.metadata.namespace}/${pod.metadata.name}`, ctl.delayMs * 5 - age);
  } else stage = 'ready';

  const containers = (pod.spec as { containers?: Container[] } | undefined)?.containers ?? [];
  const prev = (pod.status ?? {}) as Obj;
  const nowIso = iso(since);
  const startedIso = iso(started);
  const podIp = typeof prev.podIP === 'string' ? prev.podIP : `10.244.0.${(nextPodIp++ % 250) + 2}`;
  const readyNow = stage === 'ready';
  const containersUp = stage === 'ready' || stage === 'starting' || stage === 'crash-loop';
  let conds = (prev.conditions as Condition[] | undefined) ?? [];
  const terminal = stage === 'succeeded' || stage === 'failed';
  conds = setCondition(
    conds,
    { type: 'PodReadyToStartContainers', status: stage === 'pending' ? 'False' : 'True' },
    startedIso,
    { probeTime: true },
  );
  conds = setCondition(conds, { type: 'Initialized', status: 'True' }, nowIso, { probeTime: true });
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMsg = terminal
    ? undefined
    : `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`;
  conds = setCondition(
    conds,
    readyNow
      ? { type: 'Ready', status: 'True' }
      : { type: 'Ready', status: 'False', reason: notReadyReason, message: notReadyMsg },
    readyNow ? startedIso : nowIso,
    { probeTime: true },
  );
  conds = setCondition(
    conds,
    readyNow
      ? { type: 'ContainersReady', status: 'True' }
      : { type: 'ContainersReady', status: 'False', reason: notReadyReason, message: notReadyMsg },
    readyNow ? startedIso : nowIso,
    { probeTime: true },
  );
  conds = setCondition(conds, { type: 'PodScheduled', status: 'True' }, nowIso, { probeTime: true });

  const containerStatuses = containers.map((c) => {
    const image = c.image ?? '';
    const base = {
      name: c.name,
      image,
      imageID:
        stage === 'image-pull-backoff' || stage === 'pending' ? '' : `${imageRepo(image)}@sha256:${hex(image, 64)}`,
    };
    const id = { containerID: `containerd://${hex(`${uid}/${c.name}`, 64)}` };
    switch (stage) {
      case 'pending':
        return {
          ...base,
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
          ready: false,
          restartCount: 0,
          started: false,
        };
      case 'image-pull-backoff':
        return {
          ...base,
          state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
          lastState: {},
          ready: false,
          restartCount: 0,
          started: false,
        };
      case 'crash-loop':
        return {
          ...base,
          ...id,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 10s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
            },
          },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: 'Error',
              startedAt: startedIso,
              finishedAt: startedIso,
              containerID: id.containerID,
            },
          },
          ready: false,
          restartCount: 1,
          started: false,
        };
      case 'succeeded':
      case 'failed': {
        const exitCode = stage === 'failed' ? 1 : 0;
        return {
          ...base,
          ...id,
          state: {
            terminated: {
              exitCode,
              reason: exitCode ? 'Error' : 'Completed',
              startedAt: nowIso,
              finishedAt: startedIso,
              containerID: id.containerID,
            },
          },
          lastState: {},
          ready: false,
          restartCount: 0,
          started: false,
        };
      }
      default:
        return {
          ...base,
          ...id,
          state: { running: { startedAt: startedIso } },
          lastState: {},
          ready: readyNow,
          restartCount: 0,
          started: true,
        };
    }
  });
  const status: Obj = {
    phase: stage === 'succeeded' ? 'Succeeded' : stage === 'failed' ? 'Failed' : containersUp ? 'Running' : 'Pending',
    conditions: conds,
    hostIP: '10.0.0.10',
    hostIPs: [{ ip: '10.0.0.10' }],
    podIP: podIp,
    podIPs: [{ ip: podIp }],
    startTime: nowIso,
    containerStatuses,
    qosClass: prev.qosClass ?? 'BestEffort',
  };
  const cur = ctl.store.get(ctl.type('', 'pods'), pod.metadata.namespace, pod.metadata.name);
  if (!cur) return;
  const before = stageOf(cur);
  ctl.store.update(ctl.type('', 'pods'), { ...cur, status }, { status: true });
  if (before !== stage && !(before === 'starting' && stage === 'ready')) kubeletEvents(ctl, cur, stage, containers);
}

function imageRepo(image: string): string {
  const noTag = image.replace(/:[^/:@]+$/, '').replace(/@.*$/, '');
  return noTag.includes('/') && /[.:]/.test(noTag.split('/')[0])
    ? noTag
    : `docker.io/${noTag.includes('/') ? noTag : `library/${noTag}`}`;
}

function stageOf(p: KubeObject): string {
  const st = p.status as
    | {
        phase?: string;
        containerStatuses?: Array<{ state?: { waiting?: { reason?: string }; running?: object }; ready?: boolean }>;
      }
    | undefined;
  const cs = st?.containerStatuses?.[0];
  if (st?.phase === 'Succeeded') return 'succeeded';
  if (st?.phase === 'Failed') return 'failed';
  if (cs?.state?.waiting?.reason === 'ImagePullBackOff') return 'image-pull-backoff';
  if (cs?.state?.waiting?.reason === 'CrashLoopBackOff') return 'crash-loop';
  if (cs?.state?.running) return cs.ready ? 'ready' : 'starting';
  return st?.containerStatuses ? 'pending' : 'new';
}

/** The events the kubelet records on the way to each stage, as `kubectl get events` shows them. */
function kubeletEvents(ctl: Ctl, pod: KubeObject, stage: Stage, containers: Container[]): void {
  const ev = (type: 'Normal' | 'Warning', reason: string, message: string, c?: Container): void =>
    recordEvent(ctl, pod, {
      type,
      reason,
      message,
      component: 'kubelet',
      fieldPath: c ? `spec.containers{${c.name}}` : undefined,
    });
  if (stage === 'pending') {
    recordEvent(ctl, pod, {
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}`,
      component: 'default-scheduler',
    });
    return;
  }
  for (const c of containers) {
    const image = c.image ?? '';
    if (stage === 'image-pull-backoff') {
      ev('Normal', 'Pulling', `Pulling image "${image}"`, c);
      ev(
        'Warning',
        'Failed',
        `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
        c,
      );
      ev('Warning', 'Failed', 'Error: ErrImagePull', c);
      ev('Normal', 'BackOff', `Back-off pulling image "${image}"`, c);
      ev('Warning', 'Failed', 'Error: ImagePullBackOff', c);
    } else if (stage === 'crash-loop') {
      ev('Normal', 'Pulled', `Container image "${image}" already present on machine`, c);
      ev('Normal', 'Created', `Created container: ${c.name}`, c);
      ev('Normal', 'Started', `Started container ${c.name}`, c);
      ev(
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid ?? ''})`,
        c,
      );
    } else if (stage === 'starting' || stage === 'ready' || stage === 'succeeded' || stage === 'failed') {
      ev('Normal', 'Pulled', `Container image "${image}" already present on machine`, c);
      ev('Normal', 'Created', `Created container: ${c.name}`, c);
      ev('Normal', 'Started', `Started container ${c.name}`, c);
    }
  }
}
