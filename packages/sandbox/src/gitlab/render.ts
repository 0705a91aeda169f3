/**
 * Response shapes, field for field as GitLab's REST docs show them (API::Entities): UserBasic
 * for authors, the full User for `GET /user`, Project, MergeRequest, Note, Environment.
 */
import {
  pathWithNamespace,
  type EnvironmentState,
  type GitLabState,
  type GitLabUser,
  type MergeRequestState,
  type NoteState,
  type ProjectState,
} from './state.js';

type Json = Record<string, unknown>;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** API::Entities::UserBasic: what authors, assignees and `closed_by` carry (no `bot` field). */
export function userBasic(s: GitLabState, u: GitLabUser): Json {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    state: 'active',
    locked: false,
    avatar_url: `https://www.gravatar.com/avatar/${u.id}?s=80&d=identicon`,
    web_url: `${s.baseUrl}/${u.username}`,
  };
}

/** `GET /user` and `GET /users/:id`: UserBasic plus `bot` and a few profile fields. */
export function user(s: GitLabState, u: GitLabUser): Json {
  return {
    ...userBasic(s, u),
    created_at: iso(0),
    bio: '',
    location: '',
    public_email: null,
    skype: '',
    linkedin: '',
    twitter: '',
    discord: '',
    website_url: '',
    organization: '',
    job_title: '',
    pronouns: null,
    bot: u.bot,
    work_information: null,
    local_time: null,
  };
}

export function project(s: GitLabState, p: ProjectState): Json {
  const full = pathWithNamespace(p);
  const nsName = p.namespace.split('/').pop()!;
  return {
    id: p.id,
    description: null,
    name: p.name,
    name_with_namespace: `${p.namespace.split('/').join(' / ')} / ${p.name}`,
    path: p.path,
    path_with_namespace: full,
    created_at: iso(0),
    default_branch: p.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${new URL(s.baseUrl).host}:${full}.git`,
    http_url_to_repo: `${s.baseUrl}/${full}.git`,
    web_url: `${s.baseUrl}/${full}`,
    visibility: p.visibility,
    namespace: {
      id: p.id + 1000,
      name: nsName,
      path: nsName,
      kind: p.namespace.includes('/') ? 'group' : 'user',
      full_path: p.namespace,
      parent_id: null,
      web_url: `${s.baseUrl}/${p.namespace}`,
    },
    archived: false,
  };
}

export function mergeRequest(s: GitLabState, p: ProjectState, mr: MergeRequestState): Json {
  const full = pathWithNamespace(p);
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: p.id,
    title: mr.draft ? `Draft: ${mr.title}` : mr.title,
    description: mr.description,
    state: mr.state,
    created_at: iso(mr.createdAt),
    updated_at: iso(mr.updatedAt),
    merged_by: mr.mergedBy === undefined ? null : userBasic(s, mr.mergedBy),
    merge_user: mr.mergedBy === undefined ? null : userBasic(s, mr.mergedBy),
    merged_at: iso(mr.mergedAt),
    closed_by: mr.closedBy === undefined ? null : userBasic(s, mr.closedBy),
    closed_at: iso(mr.closedAt),
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: mr.notes.filter((n) => !n.system).length,
    upvotes: 0,
    downvotes: 0,
    author: userBasic(s, mr.author),
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: p.id,
    target_project_id: p.id,
    labels: [...mr.labels],
    draft: mr.draft,
    work_in_progress: mr.draft,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: 'can_be_merged',
    detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
    sha: mr.sha,
    merge_commit_sha: mr.mergeCommitSha ?? null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: true,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${full}!${mr.iid}` },
    web_url: `${s.baseUrl}/${full}/-/merge_requests/${mr.iid}`,
    time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
    squash: false,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
  };
}

export function note(s: GitLabState, p: ProjectState, mr: MergeRequestState, n: NoteState): Json {
  return {
    id: n.id,
    type: null,
    body: n.body,
    attachment: null,
    author: userBasic(s, n.author),
    created_at: iso(n.createdAt),
    updated_at: iso(n.updatedAt),
    system: n.system,
    noteable_id: mr.id,
    noteable_type: 'MergeRequest',
    project_id: p.id,
    resolvable: false,
    confidential: n.internal,
    internal: n.internal,
    imported: false,
    imported_from: 'none',
    noteable_iid: mr.iid,
    commands_changes: {},
  };
}

export function environment(s: GitLabState, e: EnvironmentState): Json {
  return {
    id: e.id,
    name: e.name,
    slug: e.slug,
    description: e.description,
    external_url: e.externalUrl,
    state: e.state,
    tier: e.tier,
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
    auto_stop_at: e.autoStopAt === null ? null : iso(e.autoStopAt),
    kubernetes_namespace: null,
    flux_resource_path: null,
    auto_stop_setting: 'always',
  };
}
