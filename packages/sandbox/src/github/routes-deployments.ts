/**
 * GitHub's deployments, deployment statuses and environments as the stand-in serves them.
 */
import { GitHubError, notFound, validationFailed } from './errors.js';
import { deployment, deploymentStatus, environment } from './render.js';
import { intParam, listed, paginate, requiredString, type Route, type RouteContext } from './route-kit.js';
import {
  deploymentState,
  type Actor,
  type DeploymentState,
  type GitHubState,
  type RepoState,
  type StatusState,
} from './state.js';

const STATUS_STATES: StatusState['state'][] = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
];

function deploymentOf(ctx: RouteContext): DeploymentState {
  const id = intParam(ctx, 'deployment_id');
  const d = ctx.repo.deployments.find((x) => x.id === id);
  if (d === undefined) throw notFound();
  return d;
}

/** A branch name, a full SHA, or an unknown ref (422 "No ref found for: x", as GitHub answers). */
function resolveRef(repo: RepoState, ref: string): string {
  const branch = repo.branches.get(ref.replace(/^refs\/heads\//, ''));
  if (branch !== undefined) return branch;
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
  throw new GitHubError(422, `No ref found for: ${ref}`);
}

/** The environment record GitHub creates implicitly for the first deployment to it. */
function ensureEnvironment(state: GitHubState, repo: RepoState, name: string): void {
  const now = state.clock.now();
  const e = repo.environments.get(name);
  if (e === undefined) repo.environments.set(name, { id: state.nextId(), name, createdAt: now, updatedAt: now });
  else e.updatedAt = now;
}

/**
 * GitHub's auto_inactive rule (REST docs, "Create a deployment status"): a status created with
 * auto_inactive (default true) adds an `inactive` status to all prior non-transient,
 * non-production deployments in the same repository and environment whose state is `success`.
 * GitHub applies it when the new status is `success`.
 */
function autoInactivate(state: GitHubState, repo: RepoState, current: DeploymentState, actor: Actor): void {
  for (const d of repo.deployments) {
    if (d.id >= current.id || d.environment !== current.environment || d.transient || d.production) continue;
    if (deploymentState(d) !== 'success') continue;
    const last = d.statuses.at(-1)!;
    d.statuses.push({
      ...last,
      id: state.nextId(),
      state: 'inactive',
      creator: actor,
      description: '',
      createdAt: state.clock.now(),
    });
    d.updatedAt = state.clock.now();
  }
}

export const deploymentRoutes: Route[] = [
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/deployments',
    handle: (ctx) => {
      const ref = requiredString(ctx, 'Deployment', 'ref');
      const b = ctx.body;
      const sha = resolveRef(ctx.repo, ref);
      const contexts = ctx.repo.commitStatuses.get(sha) ?? new Map<string, string>();
      const required: string[] = Array.isArray(b.required_contexts) ? b.required_contexts : [...contexts.keys()];
      const failing = required.filter((cx) => contexts.get(cx) !== 'success');
      if (failing.length > 0) {
        throw new GitHubError(409, `Conflict: Commit status checks failed for ${ref}.`, {
          errors: [
            {
              contexts: required.map((cx) => ({ context: cx, state: contexts.get(cx) ?? 'missing' })),
              resource: 'Deployment',
              field: 'required_contexts',
              code: 'invalid',
            },
          ],
        });
      }
      const env = typeof b.environment === 'string' && b.environment !== '' ? b.environment : 'production';
      const now = ctx.state.clock.now();
      const d: DeploymentState = {
        id: ctx.state.nextId(),
        sha,
        ref,
        task: typeof b.task === 'string' ? b.task : 'deploy',
        payload:
          b.payload === undefined || b.payload === ''
            ? {}
            : typeof b.payload === 'string'
              ? parsePayload(b.payload)
              : b.payload,
        environment: env,
        originalEnvironment: env,
        description: typeof b.description === 'string' ? b.description : null,
        creator: ctx.actor,
        createdAt: now,
        updatedAt: now,
        transient: b.transient_environment === true,
        production: typeof b.production_environment === 'boolean' ? b.production_environment : env === 'production',
        statuses: [],
      };
      ctx.repo.deployments.push(d);
      ensureEnvironment(ctx.state, ctx.repo, env);
      return { status: 201, body: deployment(ctx.c, ctx.state, ctx.repo, d) };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/deployments',
    handle: ({ c, state, repo, query }) => {
      const f = (k: string): string | null => query.get(k);
      const items = repo.deployments.filter(
        (d) =>
          (f('environment') === null || d.environment === f('environment')) &&
          (f('sha') === null || d.sha === f('sha')) &&
          (f('ref') === null || d.ref === f('ref')) &&
          (f('task') === null || d.task === f('task')),
      );
      return listed([...items].reverse(), query, (d) => deployment(c, state, repo, d));
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    handle: (ctx) => ({ status: 200, body: deployment(ctx.c, ctx.state, ctx.repo, deploymentOf(ctx)) }),
  },
  {
    method: 'delete',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    handle: (ctx) => {
      const d = deploymentOf(ctx);
      // REST docs: with more than one deployment only inactive ones can be deleted.
      if (ctx.repo.deployments.length > 1 && deploymentState(d) !== 'inactive') {
        throw new GitHubError(
          422,
          'We cannot delete an active deployment unless it is the only deployment in a given environment.',
        );
      }
      ctx.repo.deployments.splice(ctx.repo.deployments.indexOf(d), 1);
      return { status: 204 };
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    handle: (ctx) => {
      const d = deploymentOf(ctx);
      const b = ctx.body ?? {};
      const st = requiredString(ctx, 'DeploymentStatus', 'state');
      if (!STATUS_STATES.includes(st as StatusState['state']))
        throw validationFailed({ resource: 'DeploymentStatus', field: 'state', code: 'invalid' });
      const description = typeof b.description === 'string' ? b.description : '';
      if (description.length > 140)
        throw validationFailed({
          resource: 'DeploymentStatus',
          field: 'description',
          code: 'custom',
          message: 'description is too long (maximum is 140 characters)',
        });
      if (typeof b.environment === 'string' && b.environment !== '') {
        d.environment = b.environment;
        ensureEnvironment(ctx.state, ctx.repo, d.environment);
      }
      const now = ctx.state.clock.now();
      const status: StatusState = {
        id: ctx.state.nextId(),
        state: st as StatusState['state'],
        creator: ctx.actor,
        description,
        environment: d.environment,
        environmentUrl: typeof b.environment_url === 'string' ? b.environment_url : '',
        logUrl: typeof b.log_url === 'string' ? b.log_url : typeof b.target_url === 'string' ? b.target_url : '',
        targetUrl: typeof b.target_url === 'string' ? b.target_url : typeof b.log_url === 'string' ? b.log_url : '',
        createdAt: now,
      };
      d.statuses.push(status);
      d.updatedAt = now;
      if (status.state === 'success' && b.auto_inactive !== false) autoInactivate(ctx.state, ctx.repo, d, ctx.actor);
      return { status: 201, body: deploymentStatus(ctx.c, ctx.state, ctx.repo, d, status) };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    handle: (ctx) => {
      const d = deploymentOf(ctx);
      return listed([...d.statuses].reverse(), ctx.query, (s) => deploymentStatus(ctx.c, ctx.state, ctx.repo, d, s));
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/environments',
    handle: (ctx) => {
      const all = [...ctx.repo.environments.values()].sort((a, b) => a.name.localeCompare(b.name));
      const p = paginate(all, ctx.query);
      return {
        status: 200,
        body: { total_count: all.length, environments: p.items.map((e) => environment(ctx.c, ctx.state, ctx.repo, e)) },
        page: p.page,
      };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/environments/{environment_name}',
    handle: (ctx) => {
      const e = ctx.repo.environments.get(ctx.params.environment_name ?? '');
      if (e === undefined) throw notFound();
      return { status: 200, body: environment(ctx.c, ctx.state, ctx.repo, e) };
    },
  },
  {
    method: 'delete',
    template: '/repos/{owner}/{repo}/environments/{environment_name}',
    handle: (ctx) => {
      if (!ctx.repo.environments.delete(ctx.params.environment_name ?? '')) throw notFound();
      return { status: 204 };
    },
  },
];

function parsePayload(s: string): Record<string, unknown> | string {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : s;
  } catch {
    return s;
  }
}
