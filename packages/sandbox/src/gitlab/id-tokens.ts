/**
 * The claims of a job's ID token, taken from the stand-in's state: project, namespace and user,
 * and for a merge-request pipeline the MR's source branch and head SHA (docs: "ID tokens → Token payload").
 */
import type { GitLabClaims } from '../oidc/gitlab-claims.js';
import type { IdTokenOptions } from './stand-in-api.js';
import { pathWithNamespace, type GitLabUser, type MergeRequestState, type ProjectState } from './state.js';

/** Claims for a job of `p` run by `u`; `mr` makes it a merge_request_event pipeline, else a push to the default branch. */
export function jobIdTokenClaims(
  p: ProjectState,
  u: GitLabUser,
  mr: MergeRequestState | undefined,
  o: IdTokenOptions,
): Partial<GitLabClaims> {
  const pipeline: Partial<GitLabClaims> =
    mr === undefined
      ? {
          pipeline_source: 'push',
          ref: p.defaultBranch,
          ref_path: `refs/heads/${p.defaultBranch}`,
          ref_protected: 'true',
        }
      : {
          pipeline_source: 'merge_request_event',
          ref: mr.sourceBranch,
          ref_path: `refs/merge-requests/${mr.iid}/head`,
          ref_protected: 'false',
          sha: mr.sha,
        };
  return {
    namespace_id: String(p.id + 1000),
    project_id: String(p.id),
    project_path: pathWithNamespace(p),
    project_visibility: p.visibility,
    user_id: String(u.id),
    user_login: u.username,
    user_email: `${u.username}@example.com`,
    ...pipeline,
    ...(o.environment === undefined
      ? {}
      : { environment: o.environment, environment_action: o.environmentAction ?? 'start' }),
    ...o.claims,
  };
}
