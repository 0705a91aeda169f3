/**
 * Waiting for an Argo CD Application (the GitOps alternative to deploy-helm) to have synced the
 * PR's head commit and be Synced and Healthy, by polling `kubectl get applications.argoproj.io -o json`.
 * Synced + Healthy alone is true of the previous commit right after a push (Argo CD polls Git
 * every `requeueAfterSeconds`), so the revision is part of "ready".
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
  if (!m || v.length > 253)
    throw new InputError(input, raw, 'must name an Argo CD Application as name or namespace/name');
  return { namespace: m[1] ?? 'argocd', name: m[3]! };
}

export interface ApplicationState {
  found: boolean;
  sync: string;
  health: string;
  /** `status.sync.revision` (or every `status.sync.revisions[]` of a multi-source Application). */
  revisions: string[];
  /** `status.summary.images`: the images the Application's workloads run. */
  images: string[];
  message?: string;
}

export function applicationState(app: any): ApplicationState {
  const conditions: any[] = app?.status?.conditions ?? [];
  const message =
    app?.status?.health?.message ??
    app?.status?.operationState?.message ??
    conditions.map((c) => c.message).filter(Boolean)[0];
  const sync = app?.status?.sync ?? {};
  const revisions = [sync.revision, ...(Array.isArray(sync.revisions) ? sync.revisions : [])].filter(
    (r): r is string => typeof r === 'string' && r !== '',
  );
  const images = Array.isArray(app?.status?.summary?.images)
    ? app.status.summary.images.filter((i: unknown): i is string => typeof i === 'string')
    : [];
  return {
    found: true,
    sync: String(sync.status ?? 'Unknown'),
    health: String(app?.status?.health?.status ?? 'Unknown'),
    revisions,
    images,
    message,
  };
}

/**
 * The Application has synced `sha`: its sync revision is that commit, or one of its images is
 * tagged with it (a chart repository's revision is not the app's commit; `preview-<sha>` tags are).
 */
export function hasSyncedRevision(state: ApplicationState, sha: string): boolean {
  const want = sha.toLowerCase();
  if (state.revisions.some((r) => r.toLowerCase() === want)) return true;
  return state.images.some((image) => {
    const tag = image
      .replace(/@sha256:[0-9a-f]+$/, '')
      .split('/')
      .pop()!
      .split(':')[1];
    const t = tag?.toLowerCase();
    return t !== undefined && (t === want || t.endsWith(`-${want}`));
  });
}

/** Ready means: found, the head commit synced (when one is asked for), Synced, Healthy. */
export function applicationReady(state: ApplicationState, revision?: string): boolean {
  return (
    state.found &&
    state.sync === 'Synced' &&
    state.health === 'Healthy' &&
    (revision === undefined || hasSyncedRevision(state, revision))
  );
}

/** One line for the phase table and the failure message. */
export function describeApplication(state: ApplicationState, revision?: string): string {
  if (!state.found) return 'not found';
  const at = state.revisions[0] ? ` at ${state.revisions[0].slice(0, 12)}` : '';
  const stale =
    revision !== undefined && !hasSyncedRevision(state, revision)
      ? ` — not yet ${revision.slice(0, 12)} (synced ${state.revisions.map((r) => r.slice(0, 12)).join(', ') || 'no revision'}${state.images.length ? `; images ${state.images.join(', ')}` : ''})`
      : '';
  return `${state.sync}/${state.health}${at}${stale}${state.message ? ` — ${state.message}` : ''}`;
}

export interface ApplicationWait {
  ready: boolean;
  elapsedMs: number;
  last: ApplicationState;
  polls: number;
}

/**
 * Polls every `intervalMs` (default 5 s) until `revision` is synced and the Application is Synced +
 * Healthy, or the deadline.
 */
export async function waitForApplication(
  tools: KubeTools,
  ref: ApplicationRef,
  timeoutMs: number,
  options: { clock?: Clock; intervalMs?: number; revision?: string } = {},
): Promise<ApplicationWait> {
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  let last: ApplicationState;
  for (let polls = 1; ; polls++) {
    try {
      last = applicationState(
        await kubectlJson(tools, ['get', 'applications.argoproj.io', ref.name, '--namespace', ref.namespace]),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      last = { found: false, sync: 'Unknown', health: 'Unknown', revisions: [], images: [], message: 'not found' };
    }
    if (applicationReady(last, options.revision)) return { ready: true, elapsedMs: clock.now() - start, last, polls };
    const remaining = start + timeoutMs - clock.now();
    if (remaining <= 0) return { ready: false, elapsedMs: clock.now() - start, last, polls };
    await clock.sleep(Math.min(options.intervalMs ?? 5000, remaining));
  }
}
