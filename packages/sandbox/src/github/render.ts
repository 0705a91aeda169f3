/**
 * Response objects in GitHub's real shapes. Each starts from a skeleton built from the OpenAPI
 * schema (every required field, typed) and overlays what the stand-in knows, so every response
 * passes the contract check and carries the fields clients read (ids, node_id, url, html_url, user).
 */
import type { GitHubContract } from './contract.js';
import {
  repoOf,
  type Actor,
  type CommentState,
  type DeploymentState,
  type EnvironmentState,
  type GitHubState,
  type IssueState,
  type LabelState,
  type RepoState,
  type StatusState,
} from './state.js';

type Json = Record<string, any>;

const skeletons = new Map<string, Json>();

function fill(c: GitHubContract, s: Json | undefined, depth: number): unknown {
  if (s === undefined || depth > 12) return null;
  if (typeof s.$ref === 'string') return fill(c, c.schema(s.$ref.split('/').pop()!), depth + 1);
  if (s.nullable === true) return null;
  if (Array.isArray(s.allOf)) return Object.assign({}, ...s.allOf.map((x: Json) => fill(c, x, depth + 1)));
  const options = (s.oneOf ?? s.anyOf) as Json[] | undefined;
  if (options !== undefined) return fill(c, options.find((o) => o.type !== 'null') ?? options[0], depth + 1);
  if (Array.isArray(s.enum)) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const out: Json = {};
      for (const k of (s.required ?? []) as string[]) out[k] = fill(c, s.properties?.[k], depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (s.format === 'uri') return 'https://github.com';
      if (s.format === 'email') return 'noreply@github.com';
      return '';
    default:
      return s.properties === undefined ? null : fill(c, { ...s, type: 'object' }, depth);
  }
}

/** Every required field of a component schema, typed; `over` replaces fields wholesale. */
export function shape(c: GitHubContract, schema: string, over: Json): Json {
  let base = skeletons.get(schema);
  if (base === undefined) {
    base = fill(c, c.schema(schema), 0) as Json;
    skeletons.set(schema, base);
  }
  return { ...structuredClone(base), ...over };
}

export const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** node_id in GitHub's style: a type prefix and an opaque base64 part. */
export const nodeId = (prefix: string, id: number): string =>
  `${prefix}_kwDO${Buffer.from(`0:${id}`).toString('base64url')}`;

export function user(c: GitHubContract, a: Actor): Json {
  const api = `https://api.github.com/users/${encodeURIComponent(a.login)}`;
  return shape(c, 'simple-user', {
    login: a.login,
    id: a.id,
    node_id: nodeId(a.type === 'Bot' ? 'BOT' : 'U', a.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url:
      a.type === 'Bot'
        ? `https://github.com/apps/${a.login.replace(/\[bot\]$/, '')}`
        : `https://github.com/${encodeURIComponent(a.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: a.type,
    site_admin: false,
    user_view_type: 'public',
  });
}

const ownerOf = (r: RepoState): Actor => ({ login: r.owner, id: 1000 + (r.id % 1000), type: 'User' });
export const repoApi = (s: GitHubState, r: RepoState): string => `${s.baseUrl}/repos/${r.owner}/${r.name}`;
export const repoHtml = (r: RepoState): string => `https://github.com/${r.owner}/${r.name}`;

/** `repository` (pull head/base) or `full-repository` (GET repo). */
export function repository(
  c: GitHubContract,
  s: GitHubState,
  r: RepoState,
  schema: 'repository' | 'full-repository' = 'repository',
): Json {
  const api = repoApi(s, r);
  const out = shape(c, schema, {});
  for (const k of Object.keys(out)) if (k.endsWith('_url') && out[k] === '') out[k] = `${api}/${k.slice(0, -4)}`;
  const openIssues = [...r.issues.values()].filter((i) => i.state === 'open').length;
  return Object.assign(out, {
    id: r.id,
    node_id: nodeId('R', r.id),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: user(c, ownerOf(r)),
    private: false,
    html_url: repoHtml(r),
    description: null,
    fork: false,
    url: api,
    clone_url: `${repoHtml(r)}.git`,
    git_url: `git://github.com/${r.owner}/${r.name}.git`,
    ssh_url: `git@github.com:${r.owner}/${r.name}.git`,
    svn_url: repoHtml(r),
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    default_branch: r.defaultBranch,
    pulls_url: `${api}/pulls{/number}`,
    issues_url: `${api}/issues{/number}`,
    labels_url: `${api}/labels{/name}`,
    deployments_url: `${api}/deployments`,
    statuses_url: `${api}/statuses/{sha}`,
    open_issues: openIssues,
    open_issues_count: openIssues,
    visibility: 'public',
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    created_at: iso(r.createdAt),
    updated_at: iso(r.createdAt),
    pushed_at: iso(r.createdAt),
    ...(schema === 'full-repository'
      ? {
          network_count: 0,
          subscribers_count: 0,
          permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
        }
      : {}),
  });
}

export function label(c: GitHubContract, s: GitHubState, r: RepoState, l: LabelState): Json {
  return shape(c, 'label', {
    id: l.id,
    node_id: nodeId('LA', l.id),
    url: `${repoApi(s, r)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description ?? '',
    color: l.color,
    default: false,
  });
}

const issueLabels = (c: GitHubContract, s: GitHubState, r: RepoState, i: IssueState): Json[] =>
  i.labels.map((n) => label(c, s, r, r.labels.get(n.toLowerCase())!));

/** `issue` (issues/get, issues/list-for-repo); a PR carries the `pull_request` key. */
export function issue(c: GitHubContract, s: GitHubState, r: RepoState, i: IssueState): Json {
  const api = `${repoApi(s, r)}/issues/${i.number}`;
  return shape(c, 'issue', {
    id: i.id,
    node_id: nodeId(i.pull ? 'PR' : 'I', i.id),
    url: api,
    repository_url: repoApi(s, r),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${repoHtml(r)}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.state === 'closed' ? 'completed' : null,
    title: i.title,
    body: i.body,
    user: user(c, i.user),
    labels: issueLabels(c, s, r, i),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments.length,
    closed_at: i.closedAt === undefined ? null : iso(i.closedAt),
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    author_association: 'CONTRIBUTOR',
    closed_by: null,
    ...(i.pull
      ? {
          pull_request: {
            url: `${repoApi(s, r)}/pulls/${i.number}`,
            html_url: `${repoHtml(r)}/pull/${i.number}`,
            diff_url: `${repoHtml(r)}/pull/${i.number}.diff`,
            patch_url: `${repoHtml(r)}/pull/${i.number}.patch`,
            merged_at: i.pull.mergedAt === undefined ? null : iso(i.pull.mergedAt),
          },
        }
      : {}),
  });
}

/** `pull-request` (full) or `pull-request-simple` (pulls/list). */
export function pull(
  c: GitHubContract,
  s: GitHubState,
  r: RepoState,
  i: IssueState,
  schema: 'pull-request' | 'pull-request-simple' = 'pull-request',
): Json {
  const p = i.pull!;
  const api = `${repoApi(s, r)}/pulls/${i.number}`;
  const html = `${repoHtml(r)}/pull/${i.number}`;
  const issueApi = `${repoApi(s, r)}/issues/${i.number}`;
  const repoJson = repository(c, s, r);
  const end = (ref: string, sha: string, fork?: RepoState): Json =>
    fork === undefined
      ? { label: `${r.owner}:${ref}`, ref, sha, user: user(c, ownerOf(r)), repo: repoJson }
      : {
          label: `${fork.owner}:${ref}`,
          ref,
          sha,
          user: user(c, ownerOf(fork)),
          repo: { ...repository(c, s, fork), fork: true },
        };
  const forkRepo = p.headRepo === undefined ? undefined : repoOf(s, ...(p.headRepo.split('/') as [string, string]));
  const link = (href: string): Json => ({ href });
  return shape(c, schema, {
    url: api,
    id: i.id,
    node_id: nodeId('PR', i.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${repoApi(s, r)}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${repoApi(s, r)}/statuses/${p.headSha}`,
    number: i.number,
    state: i.state,
    locked: false,
    title: i.title,
    user: user(c, i.user),
    body: i.body,
    labels: issueLabels(c, s, r, i),
    milestone: null,
    active_lock_reason: null,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    closed_at: i.closedAt === undefined ? null : iso(i.closedAt),
    merged_at: p.mergedAt === undefined ? null : iso(p.mergedAt),
    merge_commit_sha: p.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: end(p.headRef, p.headSha, forkRepo),
    base: end(p.baseRef, p.baseSha),
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: p.draft,
    _links: {
      self: link(api),
      html: link(html),
      issue: link(issueApi),
      comments: link(`${issueApi}/comments`),
      review_comments: link(`${api}/comments`),
      review_comment: link(`${repoApi(s, r)}/pulls/comments{/number}`),
      commits: link(`${api}/commits`),
      statuses: link(`${repoApi(s, r)}/statuses/${p.headSha}`),
    },
    ...(schema === 'pull-request'
      ? {
          merged: p.merged,
          mergeable: i.state === 'open' ? true : null,
          rebaseable: i.state === 'open' ? true : null,
          mergeable_state: i.state === 'open' ? 'clean' : 'unknown',
          merged_by: p.mergedBy ? user(c, p.mergedBy) : null,
          comments: i.comments.length,
          review_comments: 0,
          maintainer_can_modify: false,
          commits: 1,
          additions: 1,
          deletions: 0,
          changed_files: 1,
        }
      : {}),
  });
}

export function comment(c: GitHubContract, s: GitHubState, r: RepoState, i: IssueState, cm: CommentState): Json {
  return shape(c, 'issue-comment', {
    id: cm.id,
    node_id: nodeId('IC', cm.id),
    url: `${repoApi(s, r)}/issues/comments/${cm.id}`,
    html_url: `${repoHtml(r)}/${i.pull ? 'pull' : 'issues'}/${i.number}#issuecomment-${cm.id}`,
    body: cm.body,
    user: user(c, cm.user),
    created_at: iso(cm.createdAt),
    updated_at: iso(cm.updatedAt),
    issue_url: `${repoApi(s, r)}/issues/${i.number}`,
    author_association: 'CONTRIBUTOR',
    performed_via_github_app: null,
  });
}

export function deployment(c: GitHubContract, s: GitHubState, r: RepoState, d: DeploymentState): Json {
  const api = `${repoApi(s, r)}/deployments/${d.id}`;
  return shape(c, 'deployment', {
    url: api,
    id: d.id,
    node_id: nodeId('DE', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.originalEnvironment,
    environment: d.environment,
    description: d.description,
    creator: user(c, d.creator),
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
    statuses_url: `${api}/statuses`,
    repository_url: repoApi(s, r),
    transient_environment: d.transient,
    production_environment: d.production,
    performed_via_github_app: null,
  });
}

export function deploymentStatus(
  c: GitHubContract,
  s: GitHubState,
  r: RepoState,
  d: DeploymentState,
  st: StatusState,
): Json {
  const dApi = `${repoApi(s, r)}/deployments/${d.id}`;
  return shape(c, 'deployment-status', {
    url: `${dApi}/statuses/${st.id}`,
    id: st.id,
    node_id: nodeId('DES', st.id),
    state: st.state,
    creator: user(c, st.creator),
    description: st.description,
    environment: st.environment,
    target_url: st.targetUrl,
    log_url: st.logUrl,
    environment_url: st.environmentUrl,
    created_at: iso(st.createdAt),
    updated_at: iso(st.createdAt),
    deployment_url: dApi,
    repository_url: repoApi(s, r),
    performed_via_github_app: null,
  });
}

export function environment(c: GitHubContract, s: GitHubState, r: RepoState, e: EnvironmentState): Json {
  return shape(c, 'environment', {
    id: e.id,
    node_id: nodeId('EN', e.id),
    name: e.name,
    url: `${repoApi(s, r)}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${repoHtml(r)}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
    protection_rules: [],
    deployment_branch_policy: null,
  });
}
