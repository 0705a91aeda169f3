/**
 * The fault matrix (issue 17 §3): outside system × fault the stand-ins inject × action that talks
 * to it. Each cell arms its fault on the stand-in (a feature of the stand-in, never a mock of our
 * code) right before the bundled action runs. Latency cells set `request-timeout: 1s` and stall
 * one call for longer; "persistent" cells keep failing so the action must give up cleanly.
 */
import type { ActionName, CellContext } from './scenarios.js';
import type { MatrixWorld } from './world.js';

export const SYSTEMS = ['GitHub', 'Vault', 'ECR', 'registry', 'Kubernetes API'] as const;
export type System = (typeof SYSTEMS)[number];

export type Fault =
  | '429 + Retry-After'
  | 'secondary rate limit'
  | '5xx'
  | '5xx (persistent)'
  | 'connection reset'
  | 'latency > request-timeout'
  | 'dropped watch';

export interface Cell {
  system: System;
  fault: Fault;
  action: ActionName;
  /** The call the fault hits, for the table. */
  call: string;
  arm(w: MatrixWorld, c: CellContext): void;
  /** Extra inputs for the faulted run. */
  inputs?: Record<string, string>;
}

/** How an error message must name each system when a cell fails. */
export const NAMES: Record<System, RegExp> = {
  GitHub: /GitHub/,
  Vault: /Vault/,
  ECR: /\bECR\b/,
  registry: /registry/i,
  'Kubernetes API': /Kubernetes API/,
};

const STALL_MS = 2500;
const slow = { 'request-timeout': '1s' };
const comments = /\/issues\/\d+\/comments$/;
const pull = /\/pulls\/\d+$/;
const pulls = /\/repos\/acme\/web\/pulls$/;
const stage = /^\/v1\/secret\/data\/stage\/app$/;
const preview = (c: CellContext) => new RegExp(`^/v1/secret/(data|metadata)/preview/app-${c.pr}$`);
const manifests = /\/manifests\//;

export const CELLS: Cell[] = [
  // ── GitHub ────────────────────────────────────────────────────────────────────────────────
  {
    system: 'GitHub',
    fault: '429 + Retry-After',
    action: 'comment-status',
    call: 'POST issue comment',
    arm: (w) => w.gh.injectFault({ method: 'POST', pathPattern: comments, status: 429, retryAfter: 1, times: 1 }),
  },
  {
    system: 'GitHub',
    fault: 'secondary rate limit',
    action: 'comment-status',
    call: 'GET issue comments',
    arm: (w) =>
      w.gh.injectFault({
        method: 'GET',
        pathPattern: comments,
        status: 403,
        secondary: true,
        retryAfter: 1,
        times: 1,
      }),
  },
  {
    system: 'GitHub',
    fault: '5xx',
    action: 'comment-status',
    call: 'POST deployment',
    arm: (w) => w.gh.injectFault({ method: 'POST', pathPattern: /\/deployments$/, status: 502, times: 1 }),
  },
  {
    system: 'GitHub',
    fault: 'connection reset',
    action: 'comment-status',
    call: 'POST issue comment',
    arm: (w) => w.gh.injectFault({ method: 'POST', pathPattern: comments, reset: true, times: 1 }),
  },
  {
    system: 'GitHub',
    fault: 'latency > request-timeout',
    action: 'comment-status',
    call: 'GET issue comments',
    inputs: slow,
    arm: (w) => w.gh.injectFault({ method: 'GET', pathPattern: comments, latencyMs: STALL_MS, times: 1 }),
  },
  {
    system: 'GitHub',
    fault: '5xx',
    action: 'deploy-helm',
    call: 'GET pull (still wanted?)',
    arm: (w) => w.gh.injectFault({ method: 'GET', pathPattern: pull, status: 502, times: 1 }),
  },
  {
    system: 'GitHub',
    fault: 'connection reset',
    action: 'deploy-helm',
    call: 'GET pull (still wanted?)',
    arm: (w) => w.gh.injectFault({ method: 'GET', pathPattern: pull, reset: true, times: 1 }),
  },
  {
    system: 'GitHub',
    fault: 'secondary rate limit',
    action: 'teardown',
    call: 'GET issue comments',
    arm: (w) =>
      w.gh.injectFault({
        method: 'GET',
        pathPattern: comments,
        status: 403,
        secondary: true,
        retryAfter: 1,
        times: 1,
      }),
  },
  {
    system: 'GitHub',
    fault: '5xx (persistent)',
    action: 'reap-orphans',
    call: 'GET open pulls',
    arm: (w) => w.gh.injectFault({ method: 'GET', pathPattern: pulls, status: 502 }),
  },
  {
    system: 'GitHub',
    fault: 'connection reset',
    action: 'reap-orphans',
    call: 'GET pull (confirm missing)',
    arm: (w) => w.gh.injectFault({ method: 'GET', pathPattern: pull, reset: true, times: 1 }),
  },
  {
    system: 'GitHub',
    fault: 'latency > request-timeout',
    action: 'reap-orphans',
    call: 'GET open pulls',
    inputs: slow,
    arm: (w) => w.gh.injectFault({ method: 'GET', pathPattern: pulls, latencyMs: STALL_MS, times: 1 }),
  },
  // ── Vault ─────────────────────────────────────────────────────────────────────────────────
  {
    system: 'Vault',
    fault: '429 + Retry-After',
    action: 'seed-vault',
    call: 'read stage secret',
    arm: (w) => w.vault.injectFault({ method: 'GET', pathPattern: stage, status: 429, times: 1 }),
  },
  {
    system: 'Vault',
    fault: '5xx',
    action: 'seed-vault',
    call: 'CAS write of the copy',
    arm: (w, c) => w.vault.injectFault({ method: 'POST', pathPattern: preview(c), status: 500, times: 1 }),
  },
  {
    system: 'Vault',
    fault: 'connection reset',
    action: 'seed-vault',
    call: 'CAS write of the copy (lands, reply lost)',
    arm: (w, c) => w.vault.injectFault({ method: 'POST', pathPattern: preview(c), dropReply: true, times: 1 }),
  },
  {
    system: 'Vault',
    fault: 'latency > request-timeout',
    action: 'seed-vault',
    call: 'read stage secret',
    inputs: slow,
    arm: (w) => w.vault.injectFault({ method: 'GET', pathPattern: stage, latencyMs: STALL_MS, times: 1 }),
  },
  {
    system: 'Vault',
    fault: '5xx (persistent)',
    action: 'seed-vault',
    call: 'every call',
    arm: (w) => w.vault.injectFault({ pathPattern: /^\/v1\/secret\//, status: 503 }),
  },
  {
    system: 'Vault',
    fault: '5xx',
    action: 'deploy-helm',
    call: "read the PR's path",
    arm: (w, c) => w.vault.injectFault({ method: 'GET', pathPattern: preview(c), status: 500, times: 1 }),
  },
  {
    system: 'Vault',
    fault: '5xx',
    action: 'teardown',
    call: 'DELETE metadata',
    arm: (w, c) => w.vault.injectFault({ method: 'DELETE', pathPattern: preview(c), status: 503, times: 1 }),
  },
  {
    system: 'Vault',
    fault: 'connection reset',
    action: 'teardown',
    call: 'DELETE metadata (lands, reply lost)',
    arm: (w, c) => w.vault.injectFault({ method: 'DELETE', pathPattern: preview(c), dropReply: true, times: 1 }),
  },
  {
    system: 'Vault',
    fault: '5xx (persistent)',
    action: 'reap-orphans',
    call: 'LIST preview paths',
    arm: (w) => w.vault.injectFault({ method: 'LIST', pathPattern: /^\/v1\/secret\/metadata\/preview/, status: 500 }),
  },
  // ── ECR ───────────────────────────────────────────────────────────────────────────────────
  {
    system: 'ECR',
    fault: '429 + Retry-After',
    action: 'build-push',
    call: 'DescribeRepositories (ThrottlingException)',
    arm: (w) => w.moto.injectFault({ target: 'DescribeRepositories', error: 'ThrottlingException', times: 1 }),
  },
  {
    system: 'ECR',
    fault: '5xx',
    action: 'build-push',
    call: 'CreateRepository (ServerException)',
    arm: (w) => w.moto.injectFault({ target: 'CreateRepository', error: 'ServerException', times: 1 }),
  },
  {
    system: 'ECR',
    fault: 'connection reset',
    action: 'build-push',
    call: 'PutLifecyclePolicy',
    arm: (w) => w.moto.injectFault({ target: 'PutLifecyclePolicy', reset: true, times: 1 }),
  },
  {
    system: 'ECR',
    fault: 'latency > request-timeout',
    action: 'build-push',
    call: 'DescribeRepositories',
    inputs: slow,
    arm: (w) => w.moto.injectFault({ target: 'DescribeRepositories', latencyMs: STALL_MS, times: 1 }),
  },
  {
    system: 'ECR',
    fault: '5xx (persistent)',
    action: 'build-push',
    call: 'GetAuthorizationToken (ServiceUnavailable)',
    arm: (w) => w.moto.injectFault({ target: 'GetAuthorizationToken', error: 'ServiceUnavailable' }),
  },
  {
    system: 'ECR',
    fault: '5xx',
    action: 'teardown',
    call: 'DeleteRepository (ServerException)',
    arm: (w) => w.moto.injectFault({ target: 'DeleteRepository', error: 'ServerException', times: 1 }),
  },
  {
    system: 'ECR',
    fault: '429 + Retry-After',
    action: 'reap-orphans',
    call: 'DescribeRepositories (ThrottlingException)',
    arm: (w) => w.moto.injectFault({ target: 'DescribeRepositories', error: 'ThrottlingException', times: 1 }),
  },
  // ── registry ──────────────────────────────────────────────────────────────────────────────
  {
    system: 'registry',
    fault: '429 + Retry-After',
    action: 'build-push',
    call: 'HEAD manifest (tag lookup)',
    arm: (w) => w.registry!.proxy.injectFault({ method: 'HEAD', pathPattern: manifests, status: 429, times: 1 }),
  },
  {
    system: 'registry',
    fault: '5xx',
    action: 'build-push',
    call: 'HEAD manifest (tag lookup)',
    arm: (w) => w.registry!.proxy.injectFault({ method: 'HEAD', pathPattern: manifests, status: 503, times: 1 }),
  },
  {
    system: 'registry',
    fault: 'connection reset',
    action: 'build-push',
    call: 'HEAD manifest (tag lookup)',
    arm: (w) => w.registry!.proxy.injectFault({ method: 'HEAD', pathPattern: manifests, reset: true, times: 1 }),
  },
  {
    system: 'registry',
    fault: 'latency > request-timeout',
    action: 'build-push',
    call: 'HEAD manifest (tag lookup)',
    inputs: slow,
    arm: (w) =>
      w.registry!.proxy.injectFault({ method: 'HEAD', pathPattern: manifests, latencyMs: STALL_MS, times: 1 }),
  },
  // ── Kubernetes API ────────────────────────────────────────────────────────────────────────
  {
    system: 'Kubernetes API',
    fault: '429 + Retry-After',
    action: 'deploy-helm',
    call: 'POST namespace',
    arm: (w) => w.kube.scenarios.injectFault({ method: 'POST', pathPattern: /\/namespaces$/, status: 429, times: 1 }),
  },
  {
    system: 'Kubernetes API',
    fault: '5xx',
    action: 'deploy-helm',
    call: "GET helm's release secrets",
    arm: (w, c) =>
      w.kube.scenarios.injectFault({
        method: 'GET',
        pathPattern: new RegExp(`/namespaces/preview-pr-${c.pr}/secrets$`),
        status: 503,
        times: 1,
      }),
  },
  {
    system: 'Kubernetes API',
    fault: 'connection reset',
    action: 'deploy-helm',
    call: 'PATCH namespace (guardrails apply)',
    arm: (w, c) =>
      w.kube.scenarios.injectFault({
        method: 'PATCH',
        pathPattern: new RegExp(`/namespaces/preview-pr-${c.pr}$`),
        reset: true,
        times: 1,
      }),
  },
  {
    system: 'Kubernetes API',
    fault: 'latency > request-timeout',
    action: 'deploy-helm',
    call: 'GET namespace',
    inputs: slow,
    arm: (w, c) =>
      w.kube.scenarios.injectFault({
        method: 'GET',
        pathPattern: new RegExp(`/namespaces/preview-pr-${c.pr}$`),
        latencyMs: STALL_MS,
        times: 1,
      }),
  },
  {
    system: 'Kubernetes API',
    fault: 'dropped watch',
    action: 'wait-ready',
    call: 'watch deployment rollout',
    arm: (w, c) => armDroppedWatch(w, c),
  },
  {
    system: 'Kubernetes API',
    fault: '5xx',
    action: 'wait-ready',
    call: 'GET workloads',
    arm: (w, c) =>
      w.kube.scenarios.injectFault({
        method: 'GET',
        pathPattern: new RegExp(`/namespaces/${c.namespace}/deployments$`),
        watch: false,
        status: 503,
        times: 1,
      }),
  },
  {
    system: 'Kubernetes API',
    fault: 'connection reset',
    action: 'wait-ready',
    call: 'GET workloads',
    arm: (w, c) =>
      w.kube.scenarios.injectFault({
        method: 'GET',
        pathPattern: new RegExp(`/namespaces/${c.namespace}/deployments$`),
        watch: false,
        reset: true,
        times: 1,
      }),
  },
  {
    system: 'Kubernetes API',
    fault: 'dropped watch',
    action: 'teardown',
    call: 'watch namespace deletion',
    arm: (w) => w.kube.scenarios.injectFault({ watch: true, pathPattern: /\/namespaces$/, dropAfterMs: 100, times: 1 }),
  },
  {
    system: 'Kubernetes API',
    fault: '5xx',
    action: 'teardown',
    call: 'DELETE namespace',
    arm: (w, c) =>
      w.kube.scenarios.injectFault({
        method: 'DELETE',
        pathPattern: new RegExp(`/namespaces/preview-pr-${c.pr}$`),
        status: 500,
        times: 1,
      }),
  },
  {
    system: 'Kubernetes API',
    fault: '5xx (persistent)',
    action: 'reap-orphans',
    call: 'LIST namespaces',
    arm: (w) =>
      w.kube.scenarios.injectFault({
        method: 'GET',
        pathPattern: /^\/api\/v1\/namespaces$/,
        watch: false,
        status: 500,
      }),
  },
];

/**
 * A rollout still in progress when wait-ready starts watching: the Deployment waits in
 * ImagePullBackOff until the watch opens, then its template is fixed (a new rollout that becomes
 * ready), and the first watch connection is cut after 300 ms so kubectl must re-establish it.
 */
function armDroppedWatch(w: MatrixWorld, c: CellContext): void {
  const depType = w.kube.store.types.get('apps', 'v1', 'deployments')!;
  const stuck = w.kube.store.get(depType, c.namespace, 'web')!;
  const template = (stuck.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template;
  template.metadata.annotations = { 'sandbox.preview-fleet.dev/scenario': 'image-pull-backoff' };
  w.kube.store.update(depType, stuck);
  w.kube.scenarios.injectFault({
    watch: true,
    pathPattern: new RegExp(`/namespaces/${c.namespace}/deployments$`),
    dropAfterMs: 300,
    times: 1,
  });
  let fixed = false;
  w.kube.addRequestHook((info) => {
    if (fixed || info.verb !== 'watch' || info.namespace !== c.namespace) return false;
    fixed = true;
    setTimeout(() => {
      const d = w.kube.store.get(depType, c.namespace, 'web')!;
      (d.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations =
        {};
      w.kube.store.update(depType, d);
    }, 600);
    return false;
  });
}
