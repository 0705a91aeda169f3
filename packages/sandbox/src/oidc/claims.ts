/**
 * The claim set GitHub Actions puts in its OIDC tokens (docs: "About security hardening with
 * OpenID Connect", example token). Everything is optional in `setClaims`; unset claims are derived.
 */
export interface Claims {
  sub: string;
  repository: string;
  repository_owner: string;
  repository_id: string;
  repository_owner_id: string;
  repository_visibility: string;
  ref: string;
  ref_type: string;
  sha: string;
  head_ref: string;
  base_ref: string;
  event_name: string;
  actor: string;
  actor_id: string;
  workflow: string;
  workflow_ref: string;
  job_workflow_ref: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  runner_environment: string;
  environment?: string;
}

/** Defaults: a pull_request run of octo-org/octo-repo, PR 1. */
export const defaultClaims: Omit<Claims, 'sub' | 'repository_owner' | 'workflow_ref' | 'job_workflow_ref'> = {
  repository: 'octo-org/octo-repo',
  repository_id: '74',
  repository_owner_id: '65',
  repository_visibility: 'private',
  ref: 'refs/pull/1/merge',
  ref_type: 'branch',
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  head_ref: 'feature-1',
  base_ref: 'main',
  event_name: 'pull_request',
  actor: 'octocat',
  actor_id: '583231',
  workflow: 'preview',
  run_id: '1',
  run_number: '1',
  run_attempt: '1',
  runner_environment: 'github-hosted',
};

/**
 * Fills the derived claims the way GitHub forms them: `repository_owner` from `repository`,
 * `sub` = `repo:<repository>:pull_request` for PR events, `repo:<repository>:environment:<env>`
 * when a job has an environment, `repo:<repository>:ref:<ref>` otherwise.
 */
export function completeClaims(partial: Partial<Claims>): Claims {
  const base = { ...defaultClaims, ...partial };
  const owner = partial.repository_owner ?? base.repository.split('/')[0];
  const workflowRef = partial.workflow_ref ?? `${base.repository}/.github/workflows/${base.workflow}.yml@${base.ref}`;
  let sub = `repo:${base.repository}:ref:${base.ref}`;
  if (base.environment !== undefined) sub = `repo:${base.repository}:environment:${base.environment}`;
  else if (base.event_name === 'pull_request' || base.event_name === 'pull_request_target')
    sub = `repo:${base.repository}:pull_request`;
  return {
    ...base,
    repository_owner: owner,
    workflow_ref: workflowRef,
    job_workflow_ref: partial.job_workflow_ref ?? workflowRef,
    sub: partial.sub ?? sub,
  };
}
