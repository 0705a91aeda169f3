/**
 * Rollouts: every matching workload's `kubectl rollout status` at once (a preview is ready when
 * all of them are), each bounded by the same deadline.
 */
import { ActionError, errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import { goDuration } from './helm-args.js';
import { kubectlJson, runKubectl, type KubeTools } from './tools.js';

export const WORKLOAD_KINDS = ['deployments', 'statefulsets', 'daemonsets'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface Workload {
  kind: WorkloadKind;
  name: string;
  /** Already rolled out when listed (kubectl rollout status's own test, applied to the listed object). */
  done?: boolean;
  /** spec.replicas when listed (0: scaled to zero). */
  replicas?: number;
}

export interface RolloutOutcome extends Workload {
  ok: boolean;
  ms: number;
  message: string;
}

const KIND_OF: Record<string, WorkloadKind> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

/** The workloads of `kinds` in `namespace` matching `selector`. */
export async function listWorkloads(
  tools: KubeTools,
  namespace: string,
  kinds: readonly WorkloadKind[],
  selector?: string,
): Promise<Workload[]> {
  const args = ['get', kinds.join(','), '--namespace', namespace];
  if (selector) args.push('--selector', selector);
  const list = await kubectlJson(tools, args);
  return (list.items ?? [])
    .map((o: any) => ({
      kind: KIND_OF[o.kind],
      name: String(o.metadata?.name ?? ''),
      done: rolledOut(o),
      replicas: typeof o.spec?.replicas === 'number' ? o.spec.replicas : undefined,
    }))
    .filter((w: Workload) => w.kind !== undefined && w.name !== '');
}

/**
 * kubectl's rollout-status conditions (kubectl/pkg/polymorphichelpers/rollout_status.go) applied to
 * a listed object, so a workload that is already complete costs no further process.
 */
export function rolledOut(o: any): boolean {
  const spec = o?.spec ?? {};
  const st = o?.status ?? {};
  if ((o?.metadata?.generation ?? 0) > (st.observedGeneration ?? -1)) return false;
  const want = spec.replicas ?? 1;
  switch (o?.kind) {
    case 'Deployment': {
      const stalled = (st.conditions ?? []).some(
        (c: any) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
      );
      return (
        !stalled &&
        (st.updatedReplicas ?? 0) >= want &&
        (st.replicas ?? 0) <= (st.updatedReplicas ?? 0) &&
        (st.availableReplicas ?? 0) >= (st.updatedReplicas ?? 0)
      );
    }
    case 'StatefulSet': {
      if (spec.updateStrategy?.type === 'OnDelete') return true;
      if ((st.readyReplicas ?? 0) < want) return false;
      const partition = spec.updateStrategy?.rollingUpdate?.partition;
      if (partition) return (st.updatedReplicas ?? 0) >= want - partition;
      return st.updateRevision === st.currentRevision;
    }
    case 'DaemonSet': {
      if (spec.updateStrategy?.type === 'OnDelete') return true;
      return (
        (st.updatedNumberScheduled ?? 0) >= (st.desiredNumberScheduled ?? 0) &&
        (st.numberAvailable ?? 0) >= (st.desiredNumberScheduled ?? 0)
      );
    }
    default:
      return false;
  }
}

/** Waits for all workloads concurrently; never throws, each outcome says how it went. */
export async function waitForRollouts(
  tools: KubeTools,
  namespace: string,
  workloads: Workload[],
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<RolloutOutcome[]> {
  return Promise.all(
    workloads.map(async (w) => {
      const t0 = now();
      if (w.done) return { ...w, ok: true, ms: 0, message: 'rolled out' };
      try {
        const r = await runKubectl(tools, [
          'rollout',
          'status',
          `${w.kind}/${w.name}`,
          '--namespace',
          namespace,
          `--timeout=${goDuration(timeoutMs)}`,
        ]);
        return { ...w, ok: true, ms: now() - t0, message: r.stdout.trim().split('\n').pop() ?? '' };
      } catch (err) {
        const text =
          redact(errorText(err))
            .split('\n')
            .filter((l) => l.trim())
            .pop() ?? 'failed';
        return { ...w, ok: false, ms: now() - t0, message: text };
      }
    }),
  );
}

/** Throws when no workload matched: waiting on nothing would report a broken preview as ready. */
export function requireWorkloads(
  workloads: Workload[],
  namespace: string,
  kinds: readonly string[],
  selector?: string,
): void {
  if (workloads.length > 0) return;
  throw new ActionError(
    `No ${kinds.join(' or ')} found in namespace "${namespace}"${selector ? ` matching "${selector}"` : ''}`,
    {
      hint: 'Check the namespace and selector inputs (the release must be deployed first)',
    },
  );
}
