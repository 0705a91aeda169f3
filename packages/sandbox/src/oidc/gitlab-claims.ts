/**
 * The claims GitLab CI/CD puts in a job's ID tokens (`id_tokens:` in .gitlab-ci.yml; docs:
 * "OpenID Connect (OIDC) Authentication Using ID Tokens → Token payload"). GitLab sends ids and
 * booleans as strings (`"project_id": "22"`, `"ref_protected": "false"`), `runner_id` as a number.
 */
export interface GitLabClaims {
  sub: string;
  namespace_id: string;
  namespace_path: string;
  project_id: string;
  project_path: string;
  project_visibility: 'private' | 'internal' | 'public';
  user_id: string;
  user_login: string;
  user_email: string;
  pipeline_id: string;
  /** e.g. "merge_request_event", "push", "schedule", "web". */
  pipeline_source: string;
  job_id: string;
  /** Branch or tag name, no refs/heads/ prefix (for an MR pipeline: the source branch). */
  ref: string;
  ref_type: 'branch' | 'tag';
  /** Fully qualified ref, e.g. refs/heads/main or refs/merge-requests/7/head. */
  ref_path: string;
  ref_protected: 'true' | 'false';
  runner_id: number;
  runner_environment: 'gitlab-hosted' | 'self-hosted';
  sha: string;
  ci_config_ref_uri: string;
  ci_config_sha: string;
  /** Only when the job has `environment:`. */
  environment?: string;
  environment_protected?: 'true' | 'false';
  deployment_tier?: string;
  environment_action?: string;
}

/** Defaults: a merge-request pipeline of acme/web, MR !1 from feature-1, run by `developer`. */
export const defaultGitLabClaims: Omit<GitLabClaims, 'sub' | 'ci_config_ref_uri' | 'ci_config_sha' | 'namespace_path'> =
  {
    namespace_id: '1001',
    project_id: '1',
    project_path: 'acme/web',
    project_visibility: 'private',
    user_id: '1',
    user_login: 'developer',
    user_email: 'developer@example.com',
    pipeline_id: '1',
    pipeline_source: 'merge_request_event',
    job_id: '1',
    ref: 'feature-1',
    ref_type: 'branch',
    ref_path: 'refs/merge-requests/1/head',
    ref_protected: 'false',
    runner_id: 1,
    runner_environment: 'self-hosted',
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  };

/**
 * Fills the derived claims as GitLab forms them: `namespace_path` from `project_path`, the default
 * `sub` = `project_path:{group}/{project}:ref_type:{type}:ref:{ref}`, `ci_config_ref_uri` =
 * `<host>/<project_path>//.gitlab-ci.yml@<ref_path>`, `ci_config_sha` = `sha`; environment claims
 * only when `environment` is set (tier defaults to "development", action to "start").
 */
export function completeGitLabClaims(partial: Partial<GitLabClaims>, host: string): GitLabClaims {
  const base = { ...defaultGitLabClaims, ...partial };
  const claims: GitLabClaims = {
    ...base,
    namespace_path: partial.namespace_path ?? base.project_path.split('/').slice(0, -1).join('/'),
    sub: partial.sub ?? `project_path:${base.project_path}:ref_type:${base.ref_type}:ref:${base.ref}`,
    ci_config_ref_uri: partial.ci_config_ref_uri ?? `${host}/${base.project_path}//.gitlab-ci.yml@${base.ref_path}`,
    ci_config_sha: partial.ci_config_sha ?? base.sha,
  };
  if (claims.environment === undefined) {
    delete claims.environment_protected;
    delete claims.deployment_tier;
    delete claims.environment_action;
  } else {
    claims.environment_protected ??= 'false';
    claims.deployment_tier ??= 'development';
    claims.environment_action ??= 'start';
  }
  return claims;
}
