/**
 * Workloads meant to sleep: the KEDA HTTP add-on scales a workload that an `HTTPScaledObject`
 * (http.keda.sh/v1alpha1) targets with `replicas.min` 0 (the add-on's default) down to 0 after
 * its idle period and back up on the next request, which its interceptor holds meanwhile. At 0
 * such a workload is asleep, not broken: there is no rollout to wait for, and one request through
 * the interceptor wakes it.
 */
import { errorText } from '../runtime/errors.js';
import { kubectlJson, type KubeTools } from './tools.js';

export const HTTP_SCALED_OBJECTS = 'httpscaledobjects.http.keda.sh';

/** A workload an HTTPScaledObject may scale to zero. */
export interface SleepTarget {
  kind: 'deployments' | 'statefulsets';
  name: string;
  /** The HTTPScaledObject's name. */
  scaledObject: string;
}

/** The HTTPScaledObjects' targets with replicas.min 0, from a kubectl list's items. */
export function sleepTargets(items: any[]): SleepTarget[] {
  return items.flatMap((o) => {
    const ref = o?.spec?.scaleTargetRef ?? {};
    const min = o?.spec?.replicas?.min ?? 0;
    // Older objects name only the Service; the add-on then scales the Deployment of that name.
    const name = String(ref.name ?? ref.deployment ?? ref.service ?? '');
    if (min !== 0 || !name) return [];
    const kind = ref.kind === 'StatefulSet' ? 'statefulsets' : 'deployments';
    return [{ kind, name, scaledObject: String(o?.metadata?.name ?? '') } as SleepTarget];
  });
}

/**
 * The workloads in `namespace` that may sleep. A cluster without the add-on has no such resource
 * type: nothing sleeps there. Any other failure reads as "don't know", which only means every
 * workload is waited on as usual (`warn` says why).
 */
export async function listSleepTargets(
  tools: KubeTools,
  namespace: string,
  warn: (message: string) => void = () => undefined,
): Promise<SleepTarget[]> {
  try {
    const list = await kubectlJson(tools, ['get', HTTP_SCALED_OBJECTS, '--namespace', namespace]);
    return sleepTargets(list.items ?? []);
  } catch (err) {
    const text = errorText(err);
    if (!/doesn't have a resource type|the server could not find the requested resource/i.test(text))
      warn(
        `Could not list HTTPScaledObjects in "${namespace}", so every workload is awaited as awake: ${text.split('\n')[0]}`,
      );
    return [];
  }
}
