/**
 * GitLab REST v4 stand-in: a loopback server speaking GitLab's API for what preview-fleet's GitLab
 * adapter calls, stateful, with GitLab's tokens, visibility, access levels, errors and pagination.
 *
 * Served under /api/v4 (docs.gitlab.com/api): `GET /projects/:id` (id or URL-encoded path);
 * merge requests list (state, labels, order_by, sort, source/target branch, iids[]) / get / `PUT`
 * (add_labels, remove_labels, labels, state_event); MR notes list (sort, order_by, activity_filter)
 * / get / create / edit / delete; environments list (name | search, states) / get / create / edit
 * (external_url, tier) / stop / delete (only when stopped); `GET /user`. Deployments are not served:
 * a GitLab job with `environment:` creates its own deployment, so the adapter has no call to make.
 *
 * - Tokens: `PRIVATE-TOKEN` (or `Authorization: Bearer`) for personal and project access tokens (a
 *   project token acts as the bot user `project_<id>_bot_<hex>`); `JOB-TOKEN` for CI_JOB_TOKEN, which
 *   counts only on the endpoints GitLab's "Job token access" table lists: MR list/get, MR notes
 *   list/get and every Environments endpoint. Elsewhere a job token is ignored, so reads of a private
 *   project answer 404 "Project Not Found" and writes 401, as on GitLab.
 * - Errors: `{"message": "404 Merge Request Not Found"}`, `{"error": "body is missing"}`,
 *   `{"message": {"name": ["has already been taken"]}}`, 401 `invalid_token` for revoked/expired tokens,
 *   and Rack::Attack's 429 "Retry later" with Retry-After and RateLimit-* headers.
 * - Lists paginate by offset (per_page ≤ 100, default 20) with x-page, x-per-page, x-next-page,
 *   x-prev-page, x-total, x-total-pages and a Link header (what @gitbeaker follows).
 * - Parameters a route's docs do not list are recorded as contract violations (`assertContract()`).
 * - CI ID tokens: the instance is its own OIDC issuer (`iss` = `url`, JWKS at /oauth/discovery/keys,
 *   discovery at /.well-known/openid-configuration); `issueIdToken` signs a job's `id_tokens:` JWT.
 *
 * @example
 * const gl = await startGitLab({ clock });
 * const project = gl.createProject('acme/web');
 * const { token, user } = gl.createProjectAccessToken(project.id);
 * const mr = gl.openMergeRequest(project.id, { labels: ['preview'] });
 * const api = new Gitlab({ host: gl.url, token });
 * await api.MergeRequestNotes.create(project.id, mr.iid, 'hello');
 * gl.assertContract();
 */
import { systemClock } from '@preview-fleet/core/clock';
import { startLoopbackServer } from '../http/server.js';
import { createGitLabIdTokenIssuer, type GitLabIdTokenIssuer } from '../oidc/gitlab-issuer.js';
import { createGitLabHandler, type GitLabRecorder } from './handler.js';
import { jobIdTokenClaims } from './id-tokens.js';
import { applyJobEnvironment } from './job-environment.js';
import * as render from './render.js';
import type { GitLabStandIn, GitLabStandInOptions, ProjectRef } from './stand-in-api.js';
import {
  AccessLevel,
  addUser,
  mintToken,
  newState,
  pathWithNamespace,
  projectBotUser,
  type GitLabUser,
  type MergeRequestState,
  type ProjectState,
} from './state.js';

export { servedOperations, type GitLabFault, type GitLabRequestRecord } from './handler.js';
export { AccessLevel, type GitLabUser } from './state.js';
export { parseAutoStopIn, type JobEnvironment } from './job-environment.js';
export type {
  GitLabStandIn,
  GitLabStandInOptions,
  IdTokenOptions,
  OpenMergeRequestOptions,
  ProjectRef,
} from './stand-in-api.js';

/** Starts the GitLab stand-in on a loopback port. */
export async function startGitLab(options: GitLabStandInOptions = {}): Promise<GitLabStandIn> {
  const clock = options.clock ?? systemClock;
  const state = newState(clock);
  const rec: GitLabRecorder = {
    requestLog: [],
    counts: new Map(),
    violations: [],
    faults: [],
    rate: { limit: options.rateLimit ?? 2000, windows: new Map() },
  };
  // The issuer needs the URL, which exists once the server listens.
  const issuerRef: { current?: GitLabIdTokenIssuer } = {};
  const server = await startLoopbackServer(createGitLabHandler(state, rec, (m, p) => issuerRef.current?.serve(m, p)));
  state.baseUrl = server.url;
  const idTokens = (issuerRef.current = createGitLabIdTokenIssuer(server.url, () => clock.now()));
  const developer = addUser(state, 'developer', { name: 'Dev Eloper' });

  const userOf = (u: string | GitLabUser | undefined, fallback = developer): GitLabUser =>
    u === undefined ? fallback : typeof u === 'string' ? addUser(state, u) : u;
  const projectOf = (ref: ProjectRef): ProjectState => {
    const p =
      typeof ref === 'number'
        ? state.projects.get(ref)
        : [...state.projects.values()].find((x) => pathWithNamespace(x) === ref);
    if (p === undefined) throw new Error(`GitLab stand-in has no project ${ref}`);
    return p;
  };
  const mrOf = (ref: ProjectRef, iid: number): { p: ProjectState; mr: MergeRequestState } => {
    const p = projectOf(ref);
    const mr = p.mergeRequests.get(iid);
    if (mr === undefined) throw new Error(`${pathWithNamespace(p)} has no merge request !${iid}`);
    return { p, mr };
  };
  const touch = (mr: MergeRequestState): void => void (mr.updatedAt = Math.max(clock.now(), mr.updatedAt + 1));
  const systemNote = (mr: MergeRequestState, body: string, author: GitLabUser): void => {
    const now = clock.now();
    mr.notes.push({
      id: state.nextId('note'),
      body,
      author,
      system: true,
      internal: false,
      createdAt: now,
      updatedAt: now,
    });
  };

  return {
    url: server.url,
    state,
    idTokens,
    issueIdToken(ref, o) {
      const p = projectOf(ref);
      const mr = o.mergeRequestIid === undefined ? undefined : mrOf(ref, o.mergeRequestIid).mr;
      return idTokens.issue(o.aud, jobIdTokenClaims(p, userOf(o.user), mr, o), { ttlSeconds: o.ttlSeconds });
    },
    createProject(path, o = {}) {
      const parts = path.split('/');
      if (parts.length < 2 || parts.some((x) => x === ''))
        throw new Error(`project path must be "group/name", got "${path}"`);
      const p: ProjectState = {
        id: state.nextId('project'),
        path: parts.at(-1)!,
        namespace: parts.slice(0, -1).join('/'),
        name: parts.at(-1)!,
        visibility: o.visibility ?? 'private',
        defaultBranch: o.defaultBranch ?? 'main',
        members: new Map([[developer.id, AccessLevel.developer]]),
        mergeRequests: new Map(),
        nextIid: 1,
        environments: new Map(),
        jobTokenAllowlist: new Set(),
      };
      state.projects.set(p.id, p);
      return render.project(state, p);
    },
    addUser: (username, o) => addUser(state, username, o),
    addMember: (ref, u, level) => void projectOf(ref).members.set(userOf(u).id, level),
    createPersonalAccessToken: (u, o = {}) =>
      mintToken(state, {
        kind: 'personal',
        user: userOf(u),
        scopes: o.scopes ?? ['api'],
        revoked: false,
        expiresAt: o.expiresAt,
      }),
    createProjectAccessToken(ref, o = {}) {
      const p = projectOf(ref);
      const user = projectBotUser(state, p.id, o.name ?? 'preview-fleet');
      p.members.set(user.id, o.accessLevel ?? AccessLevel.maintainer);
      const token = mintToken(state, {
        kind: 'project',
        user,
        projectId: p.id,
        scopes: o.scopes ?? ['api'],
        revoked: false,
        expiresAt: o.expiresAt,
      });
      return { token, user };
    },
    createJobToken(ref, o = {}) {
      const p = projectOf(ref);
      return mintToken(state, { kind: 'job', user: userOf(o.user), projectId: p.id, scopes: [], revoked: false });
    },
    revokeToken(token) {
      const t = state.tokens.get(token);
      if (t === undefined) throw new Error('unknown token');
      t.revoked = true;
    },
    allowJobTokenFrom: (ref, from) => void projectOf(ref).jobTokenAllowlist.add(projectOf(from).id),
    openMergeRequest(ref, o = {}) {
      const p = projectOf(ref);
      const iid = o.iid ?? p.nextIid;
      if (p.mergeRequests.has(iid)) throw new Error(`${pathWithNamespace(p)} already has !${iid}`);
      p.nextIid = Math.max(p.nextIid, iid + 1);
      const now = clock.now();
      const mr: MergeRequestState = {
        id: state.nextId('merge_request'),
        iid,
        title: o.title ?? `Change ${iid}`,
        description: o.description ?? '',
        state: 'opened',
        sourceBranch: o.sourceBranch ?? `feature-${iid}`,
        targetBranch: o.targetBranch ?? p.defaultBranch,
        sha: o.sha ?? state.nextSha(`${p.id}!${iid}`),
        labels: [...(o.labels ?? [])],
        author: userOf(o.author),
        draft: o.draft ?? false,
        createdAt: now,
        updatedAt: now,
        notes: [],
      };
      p.mergeRequests.set(iid, mr);
      return render.mergeRequest(state, p, mr);
    },
    push(ref, iid, o = {}) {
      const { mr } = mrOf(ref, iid);
      mr.sha = o.sha ?? state.nextSha(`${ref}!${iid}:push`);
      systemNote(mr, `added 1 commit\n\n<ul><li>${mr.sha.slice(0, 8)} - Change</li></ul>`, userOf(o.by, mr.author));
      touch(mr);
      return mr.sha;
    },
    closeMergeRequest(ref, iid, o = {}) {
      const { mr } = mrOf(ref, iid);
      Object.assign(mr, { state: 'closed', closedAt: clock.now(), closedBy: userOf(o.by, mr.author) });
      touch(mr);
    },
    mergeMergeRequest(ref, iid, o = {}) {
      const { mr } = mrOf(ref, iid);
      Object.assign(mr, {
        state: 'merged',
        mergedAt: clock.now(),
        mergedBy: userOf(o.by, mr.author),
        mergeCommitSha: state.nextSha(`${ref}!${iid}:merge`),
      });
      touch(mr);
    },
    reopenMergeRequest(ref, iid) {
      const { mr } = mrOf(ref, iid);
      if (mr.state === 'merged') throw new Error(`!${iid} is merged and cannot be reopened`);
      Object.assign(mr, { state: 'opened', closedAt: undefined, closedBy: undefined });
      touch(mr);
    },
    addLabels(ref, iid, labels) {
      const { mr } = mrOf(ref, iid);
      for (const l of labels) if (!mr.labels.includes(l)) mr.labels.push(l);
      touch(mr);
    },
    removeLabels(ref, iid, labels) {
      const { mr } = mrOf(ref, iid);
      mr.labels = mr.labels.filter((l) => !labels.includes(l));
      touch(mr);
    },
    addNote(ref, iid, body, o = {}) {
      const { p, mr } = mrOf(ref, iid);
      const now = clock.now();
      const n = {
        id: state.nextId('note'),
        body,
        author: userOf(o.author, addUser(state, 'someone-else')),
        system: o.system ?? false,
        internal: false,
        createdAt: now,
        updatedAt: now,
      };
      mr.notes.push(n);
      return render.note(state, p, mr, n);
    },
    mergeRequest(ref, iid) {
      const p = projectOf(ref);
      const mr = p.mergeRequests.get(iid);
      return mr === undefined ? undefined : render.mergeRequest(state, p, mr);
    },
    notes(ref, iid) {
      const { p, mr } = mrOf(ref, iid);
      return mr.notes.map((n) => render.note(state, p, mr, n));
    },
    environments: (ref) =>
      [...projectOf(ref).environments.values()].sort((a, b) => a.id - b.id).map((e) => render.environment(state, e)),
    applyJobEnvironment(ref, env) {
      const e = applyJobEnvironment(state, projectOf(ref), env);
      return e === undefined ? undefined : render.environment(state, e);
    },
    injectFault: (f) => void rec.faults.push({ ...f, remaining: f.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => void rec.faults.splice(0),
    counters: () => Object.fromEntries(rec.counts),
    requestLog: () => [...rec.requestLog],
    resetCounters() {
      rec.counts.clear();
      rec.requestLog.splice(0);
    },
    contractViolations: () => [...rec.violations],
    assertContract() {
      const seen = rec.violations.splice(0);
      if (seen.length > 0) throw new Error(`GitLab contract violations (${seen.length}):\n- ${seen.join('\n- ')}`);
    },
    stop: () => server.close(),
  };
}
