/**
 * Waiting for an Argo CD Application (the GitOps alternative to deploy-helm) to be Synced and
 * Healthy, by polling `kubectl get applications.argoproj.io -o json`.
 */
import { type Clock, systemClock } from '../clock.js';
import { InputError } from '../runtime/errors.js';
import { isNotFound, kubectlJson, type KubeTools } from './tools.js';

export interface ApplicationRef {
  namespace: string;
  name: string;
}

/** `name` or `namespace/name` (Argo CD's own namespace, `argocd`, by default). */
export function parseApplicationRef(input: string, raw: string): ApplicationRef | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  const m = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(v);
  if (!m || v.length > 253) throw new InputError(input, raw, 'must name an Argo CD Application as name or namespace/name');
  return { namespace: m[1] ?? 'argocd', name: m[3]! };
}

export interface ApplicationState {
  found: boolean;
  sync: string;
  health: string;
  message?: string;
}

export function applicationState(app: any): ApplicationState {
  const conditions: any[] = app?.status?.conditions ?? [];
  const message = app?.status?.health?.message ?? app?.status?.operationState?.message ?? conditions.map((c) => c.message).filter(Boolean)[0];
  return { found: true, sync: String(app?.status?.sync?.status ?? 'Unknown'), health: String(app?.status?.health?.status ?? 'Unknown'), message };
}

export interface ApplicationWait {
  ready: boolean;
  elapsedMs: number;
  last: ApplicationState;
  polls: number;
}

/** Polls every `intervalMs` (default 5 s) until Synced + Healthy or the deadline. */
export async function waitForApplication(tools: KubeTools, ref: ApplicationRef, timeoutMs: number, options: { clock?: Clock; intervalMs?: number } = {}): Promise<ApplicationWait> {
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  let last: ApplicationState;
  for (let polls = 1; ; polls++) {
    try {
      last = applicationState(await kubectlJson(tools, ['get', 'applications.argoproj.io', ref.name, '--namespace', ref.namespace]));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      last = { found: false, sync: 'Unknown', health: 'Unknown', message: 'not found' };
    }
    if (last.sync === 'Synced' && last.health === 'Healthy') return { ready: true, elapsedMs: clock.now() - start, last, polls };
    const remaining = start + timeoutMs - clock.now();
    if (remaining <= 0) return { ready: false, elapsedMs: clock.now() - start, last, polls };
    await clock.sleep(Math.min(options.intervalMs ?? 5000, remaining));
  }
}
