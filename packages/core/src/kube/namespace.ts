/**
 * The PR's namespace: created with our ownership marks, its `expires-at` refreshed on every
 * deploy, and an existing namespace without our marks for this repository and PR refused —
 * never adopted (it might be someone's production).
 */
import { ActionError } from '../runtime/errors.js';
import { ANNOTATIONS, fromKube, isOwnedBy, toKubeAnnotations, toKubeLabels, type OwnershipMarks } from '../marks.js';
import { isNotFound, kubectlJson, runKubectl, type KubeTools } from './tools.js';

/** Field manager for every server-side apply we do, so our fields are ours and nobody else's. */
export const FIELD_MANAGER = 'preview-fleet';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface NamespaceState {
  exists: boolean;
  marks?: OwnershipMarks;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `Terminating` while a delete is in progress. */
  phase?: string;
}

/** Reads a namespace (exists = false when it is not there). */
export async function readNamespace(tools: KubeTools, name: string): Promise<NamespaceState> {
  try {
    const ns = await kubectlJson(tools, ['get', 'namespace', name]);
    const labels = ns.metadata?.labels ?? {};
    const annotations = ns.metadata?.annotations ?? {};
    return { exists: true, labels, annotations, marks: fromKube(labels, annotations), phase: ns.status?.phase };
  } catch (err) {
    if (isNotFound(err)) return { exists: false, labels: {}, annotations: {} };
    throw err;
  }
}

/**
 * Refuses a namespace we may not deploy into: one without our marks (never adopted), one marked
 * for another repository or PR, or one being deleted (a teardown is still running).
 */
export function guardNamespace(name: string, state: NamespaceState, owner: { repository: string; pr: number }): void {
  if (!state.exists) return;
  if (!state.marks) {
    throw new ActionError(
      `Namespace "${name}" exists but does not carry preview-fleet's marks; refusing to deploy into it`,
      {
        hint: `It was not created by preview-fleet, so it is never adopted. Choose another namespace template, or delete "${name}" if it is a leftover you own.`,
      },
    );
  }
  if (!isOwnedBy(state.marks, owner)) {
    throw new ActionError(
      `Namespace "${name}" belongs to ${state.marks.repository} PR #${state.marks.pr}, not ${owner.repository} PR #${owner.pr}; refusing to deploy into it`,
      {
        hint: 'Keep {{number}} in the namespace template so every PR gets its own namespace.',
      },
    );
  }
  if (state.phase === 'Terminating') {
    throw new ActionError(
      `Namespace "${name}" is being deleted (a teardown is still running); try again when it is gone`,
    );
  }
}

/**
 * The Namespace manifest: our labels, annotations with head SHA and `expires-at` = now + ttl,
 * the original `created-at` kept, and the services sharing the namespace listed.
 */
export function namespaceManifest(name: string, marks: OwnershipMarks, existing?: NamespaceState): KubeObject {
  const labels = toKubeLabels({ ...marks, service: undefined });
  const annotations = toKubeAnnotations({ ...marks, createdAt: existing?.marks?.createdAt || marks.createdAt });
  const services = new Set(
    (existing?.annotations[ANNOTATIONS.services] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  if (marks.service) services.add(marks.service);
  if (services.size > 0) annotations[ANNOTATIONS.services] = [...services].sort().join(',');
  // `marks` are this deploy's (created now), so their created-at is the deploy's time.
  annotations[ANNOTATIONS.deployedAt] = marks.createdAt;
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } };
}

/**
 * `kubectl apply --server-side --field-manager preview-fleet -f -`: idempotent create-or-update.
 * `--force-conflicts` takes fields from other managers, so only apply a namespace that is already
 * known to be ours (see claimNamespace).
 */
export async function applyManifests(tools: KubeTools, objects: KubeObject[], namespace?: string): Promise<void> {
  if (objects.length === 0) return;
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  const args = ['apply', '--server-side', '--field-manager', FIELD_MANAGER, '--force-conflicts', '-f', '-'];
  if (namespace) args.push('--namespace', namespace);
  await runKubectl(tools, args, { input: JSON.stringify(list) });
}

/** `AlreadyExists` from kubectl create ("Error from server (AlreadyExists): … already exists"). */
export function isAlreadyExists(err: unknown): boolean {
  return /\(AlreadyExists\)|already exists/i.test(
    String((err as { stderr?: string })?.stderr ?? (err as Error)?.message ?? ''),
  );
}

export interface ClaimedNamespace {
  /** True when this call created it. */
  created: boolean;
  /** The namespace as it is now (ours: guarded), the base for the marks' refresh. */
  state: NamespaceState;
}

/**
 * Makes a namespace read as absent ours without ever taking over someone else's: it is *created*
 * (`kubectl create`, which fails with AlreadyExists when anyone made it since we looked — an
 * apply would silently adopt it); on AlreadyExists it is re-read and guarded like any existing
 * namespace, so one made meanwhile by another service's deploy of this PR is used and any other
 * is refused. A namespace that already existed (and was guarded) is returned as it is.
 */
export async function claimNamespace(
  tools: KubeTools,
  name: string,
  marks: OwnershipMarks,
  state: NamespaceState,
): Promise<ClaimedNamespace> {
  if (state.exists) return { created: false, state };
  const manifest = namespaceManifest(name, marks);
  try {
    await runKubectl(tools, ['create', '--field-manager', FIELD_MANAGER, '-f', '-'], {
      input: JSON.stringify(manifest),
    });
    return {
      created: true,
      state: {
        exists: true,
        labels: manifest.metadata.labels ?? {},
        annotations: manifest.metadata.annotations ?? {},
        marks,
      },
    };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const now = await readNamespace(tools, name);
  if (!now.exists)
    throw new ActionError(
      `Namespace "${name}" was created and deleted by someone else while this deploy was creating it; try again`,
    );
  guardNamespace(name, now, { repository: marks.repository, pr: marks.pr });
  return { created: false, state: now };
}
