/**
 * An opt-in kubelet that really runs some Job pods (`startKube({ podRunners })`), so a Job's
 * log and outcome are its command's own. What it models of the kubelet, and only that: the
 * container's env (`value`, `secretKeyRef`, `configMapKeyRef` from the store), its ConfigMap and
 * Secret volumes as files, the names of the Services in the pod's namespace (cluster DNS), one run
 * per pod, the exit code into the pod's terminated state, and stdout + stderr kept as the pod's
 * log for `GET …/pods/<name>/log` (what `kubectl logs job/<name>` reads).
 */
import type { KubeObject } from '../storage/store.js';
import { controllerOf, isObj, type Ctl, type Obj } from './common.js';

/** A pod as a runner sees it: one container, its env and mounted files resolved. */
export interface RunnablePod {
  namespace: string;
  name: string;
  /** The owning Job's name. */
  job: string;
  container: { name: string; image: string; command: string[]; args: string[] };
  env: Record<string, string>;
  /** mountPath → file name → content, from ConfigMap and Secret volumes. */
  mounts: Record<string, Record<string, string>>;
  /** Services in the pod's namespace (what its short DNS names resolve to). */
  services: string[];
}

/** What a run ended with: the container's exit code and its log (stdout and stderr, in order). */
export interface PodRunResult {
  exitCode: number;
  log: string;
}

/** Runs the Job pods it matches; the first runner that matches a pod runs it. */
export interface PodRunner {
  matches(pod: RunnablePod): boolean;
  /** Never rejects: a failure to start is a non-zero exit with the reason in the log. */
  run(pod: RunnablePod): Promise<PodRunResult>;
  stop?(): Promise<void>;
}

/** One run: under way, or ended (wall-clock times, for the container's terminated state). */
export type PodRun =
  { state: 'running'; startedMs: number } | { state: 'done'; startedMs: number; finishedMs: number; exitCode: number };

/** The runs and logs the kubelet keeps; the API's pods/log reads `logs`. */
export class PodRuns {
  private readonly runs = new Map<string, PodRun>();
  /** `namespace/pod` → the pod's log so far. */
  readonly logs = new Map<string, string>();

  constructor(readonly runners: PodRunner[]) {}

  /**
   * The run of a Job pod that a runner matches (started on the first call), or undefined when no
   * runner takes it (the stand-in's usual "ran and succeeded"). A finished run requeues the pod.
   */
  runFor(ctl: Ctl, pod: KubeObject): PodRun | undefined {
    if (this.runners.length === 0 || controllerOf(pod)?.kind !== 'Job') return undefined;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const known = this.runs.get(key);
    if (known) return known;
    const runnable = resolvePod(ctl, pod);
    const runner = this.runners.find((r) => r.matches(runnable));
    if (!runner) return undefined;
    const started: PodRun = { state: 'running', startedMs: ctl.now() };
    this.runs.set(key, started);
    this.logs.set(key, '');
    void runner
      .run(runnable)
      .then(
        (r) => r,
        (err: unknown) => ({
          exitCode: 1,
          log: `sandbox runner failed: ${err instanceof Error ? err.message : String(err)}\n`,
        }),
      )
      .then((r) => {
        this.logs.set(key, r.log);
        this.runs.set(key, {
          state: 'done',
          startedMs: started.startedMs,
          finishedMs: ctl.now(),
          exitCode: r.exitCode,
        });
        ctl.requeue(`Pod/${key}`, 0);
      });
    return started;
  }

  forget(namespace: string | undefined, name: string): void {
    this.runs.delete(`${namespace}/${name}`);
    this.logs.delete(`${namespace}/${name}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop?.()));
  }
}

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
};
type Volume = { name: string; configMap?: { name: string }; secret?: { secretName: string } };

/** The pod's first container with env and volumes resolved from the store, as the kubelet does before starting it. */
function resolvePod(ctl: Ctl, pod: KubeObject): RunnablePod {
  const ns = pod.metadata.namespace ?? 'default';
  const spec = (pod.spec ?? {}) as {
    containers?: Array<Obj & { env?: EnvVar[]; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
    volumes?: Volume[];
  };
  const c = spec.containers?.[0] ?? {};
  const data = (resource: 'secrets' | 'configmaps', name: string): Record<string, string> => {
    const o = ctl.store.get(ctl.type('', resource), ns, name) as
      (KubeObject & { data?: Record<string, string> }) | undefined;
    const raw = isObj(o?.data) ? o.data : {};
    return resource === 'secrets'
      ? Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]))
      : raw;
  };
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    const value = ref ? data(e.valueFrom?.secretKeyRef ? 'secrets' : 'configmaps', ref.name)[ref.key] : e.value;
    if (value !== undefined) env[e.name] = value;
  }
  const mounts: Record<string, Record<string, string>> = {};
  for (const m of c.volumeMounts ?? []) {
    const v = spec.volumes?.find((x) => x.name === m.name);
    if (v?.configMap) mounts[m.mountPath] = data('configmaps', v.configMap.name);
    else if (v?.secret) mounts[m.mountPath] = data('secrets', v.secret.secretName);
  }
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : []);
  return {
    namespace: ns,
    name: pod.metadata.name,
    job: controllerOf(pod)?.name ?? '',
    container: {
      name: String(c.name ?? ''),
      image: String(c.image ?? ''),
      command: strings(c.command),
      args: strings(c.args),
    },
    env,
    mounts,
    services: ctl.store.list(ctl.type('', 'services'), ns).map((s) => s.metadata.name),
  };
}
