/**
 * Environments (docs: "Environments API"), the project itself ("Projects API → Get a single
 * project") and the caller (`GET /user`). Job tokens may call every Environments endpoint.
 */
import { GitLabError, forbidden, missingParam, notFound, statusError, validation } from './errors.js';
import * as render from './render.js';
import { intParam, listed, projectOf, stringParam, type Route, type RouteContext } from './route-kit.js';
import { AccessLevel, environmentSlug, type EnvironmentState } from './state.js';

const TIERS = ['production', 'staging', 'testing', 'development', 'other'] as const;

function environmentOf(ctx: RouteContext): EnvironmentState {
  const e = projectOf(ctx).environments.get(intParam(ctx, 'environment_id'));
  if (e === undefined) throw notFound();
  return e;
}

/** GitLab rejects external URLs that are not http(s) (Environment validates with the URL blocker). */
function externalUrl(ctx: RouteContext): string | undefined {
  const url = stringParam(ctx, 'external_url');
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(url))
    throw validation({ external_url: ['is blocked: Only allowed schemes are http, https'] });
  return url;
}

function tier(ctx: RouteContext): string | undefined {
  const t = stringParam(ctx, 'tier');
  if (t !== undefined && !(TIERS as readonly string[]).includes(t))
    throw new GitLabError(400, { error: 'tier does not have a valid value' });
  return t;
}

export const environmentRoutes: Route[] = [
  {
    method: 'GET',
    template: '/projects/:id',
    name: 'Projects.show',
    jobToken: false,
    params: ['statistics', 'license', 'with_custom_attributes'],
    handle: (ctx) => ({ status: 200, body: render.project(ctx.state, projectOf(ctx)) }),
  },
  {
    method: 'GET',
    template: '/user',
    name: 'Users.showCurrentUser',
    jobToken: false,
    params: [],
    handle(ctx) {
      if (ctx.caller.user === undefined) throw statusError(401, 'Unauthorized');
      return { status: 200, body: render.user(ctx.state, ctx.caller.user) };
    },
  },
  {
    method: 'GET',
    template: '/projects/:id/environments',
    name: 'Environments.all',
    jobToken: true,
    params: ['page', 'per_page', 'pagination', 'name', 'search', 'states'],
    handle(ctx) {
      const p = projectOf(ctx);
      const name = ctx.query.get('name');
      const search = ctx.query.get('search');
      if (name !== null && search !== null)
        throw new GitLabError(400, { error: 'name, search are mutually exclusive' });
      if (search !== null && search.length < 3)
        throw statusError(400, 'Bad request - Search query must be 3 characters or longer');
      const states = ctx.query.get('states');
      if (states !== null && !['available', 'stopping', 'stopped'].includes(states))
        throw new GitLabError(400, { error: 'states does not have a valid value' });
      const items = [...p.environments.values()]
        .filter(
          (e) =>
            (name === null || e.name === name) &&
            (search === null || e.name.includes(search)) &&
            (states === null || e.state === states),
        )
        .sort((a, b) => a.id - b.id);
      return listed(items, ctx.query, (e) => render.environment(ctx.state, e));
    },
  },
  {
    method: 'GET',
    template: '/projects/:id/environments/:environment_id',
    name: 'Environments.show',
    jobToken: true,
    params: [],
    handle: (ctx) => ({ status: 200, body: render.environment(ctx.state, environmentOf(ctx)) }),
  },
  {
    method: 'POST',
    template: '/projects/:id/environments',
    name: 'Environments.create',
    jobToken: true,
    minLevel: AccessLevel.developer,
    params: [
      'name',
      'external_url',
      'tier',
      'description',
      'cluster_agent_id',
      'kubernetes_namespace',
      'auto_stop_setting',
    ],
    handle(ctx) {
      const p = projectOf(ctx);
      const name = stringParam(ctx, 'name');
      if (name === undefined) throw missingParam('name');
      if (!/^[a-zA-Z0-9 _/${}.-]+$/.test(name) || name.startsWith('/') || name.endsWith('/'))
        throw validation({
          name: [
            "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'",
          ],
        });
      if ([...p.environments.values()].some((e) => e.name === name))
        throw validation({ name: ['has already been taken'] });
      const now = ctx.state.clock.now();
      const e: EnvironmentState = {
        id: ctx.state.nextId('environment'),
        name,
        slug: environmentSlug(name),
        externalUrl: externalUrl(ctx) ?? null,
        state: 'available',
        tier: tier(ctx) ?? 'other',
        description: stringParam(ctx, 'description') ?? null,
        createdAt: now,
        updatedAt: now,
        autoStopAt: null,
      };
      p.environments.set(e.id, e);
      return { status: 201, body: render.environment(ctx.state, e) };
    },
  },
  {
    method: 'PUT',
    template: '/projects/:id/environments/:environment_id',
    name: 'Environments.edit',
    jobToken: true,
    minLevel: AccessLevel.developer,
    params: ['external_url', 'tier', 'description', 'cluster_agent_id', 'kubernetes_namespace', 'auto_stop_setting'],
    handle(ctx) {
      const e = environmentOf(ctx);
      const url = externalUrl(ctx);
      if (url !== undefined) e.externalUrl = url;
      e.tier = tier(ctx) ?? e.tier;
      e.description = stringParam(ctx, 'description') ?? e.description;
      e.updatedAt = ctx.state.clock.now();
      return { status: 200, body: render.environment(ctx.state, e) };
    },
  },
  {
    method: 'POST',
    template: '/projects/:id/environments/:environment_id/stop',
    name: 'Environments.stop',
    jobToken: true,
    minLevel: AccessLevel.developer,
    params: ['force'],
    handle(ctx) {
      const e = environmentOf(ctx);
      // Without an on_stop job (the stand-in runs none) GitLab stops the environment at once.
      e.state = 'stopped';
      e.autoStopAt = null;
      e.updatedAt = ctx.state.clock.now();
      return { status: 200, body: render.environment(ctx.state, e) };
    },
  },
  {
    method: 'DELETE',
    template: '/projects/:id/environments/:environment_id',
    name: 'Environments.remove',
    jobToken: true,
    minLevel: AccessLevel.developer,
    params: [],
    handle(ctx) {
      const e = environmentOf(ctx);
      // EnvironmentPolicy: destroy_environment only when the environment is stopped.
      if (e.state !== 'stopped') throw forbidden();
      projectOf(ctx).environments.delete(e.id);
      return { status: 204 };
    },
  },
];
