/**
 * The example pipeline (`workflows-examples/gitlab/.gitlab-ci.yml`) as the lifecycle test and the
 * GitLab story run it: `runGitLabCiJob` options for one of its jobs, with the CI/CD variables the
 * example asks a project to set pointed at the sandbox, the bundled CLI and the GitLab stand-in.
 */
import { dirname, join } from 'node:path';
import type { GitLabCiJobOptions } from './gitlab-ci-local.js';
import { repoRoot, toolPaths } from './tools.js';

export const CLI_BUNDLE = join(repoRoot, 'packages/cli/dist/preview-fleet.mjs');
/** The directory holding the example `.gitlab-ci.yml` (copied per job by `runGitLabCiJob`). */
export const EXAMPLE_PIPELINE_DIR = join(repoRoot, 'workflows-examples/gitlab');

/** What a job's variables are made of: the sandbox's client settings, the GitLab stand-in's project and token. */
export interface PipelineWorld {
  sandboxEnv: Record<string, string>;
  gitlabUrl: string;
  projectId: number;
  projectPath: string;
  /** A project access token (PREVIEW_FLEET_GITLAB_TOKEN). */
  token: string;
  /** The preview domain (the ingress stand-in's). */
  domain: string;
  /** A prebuilt image to deploy (no builder needed). */
  image: string;
  /** Signs the job's `id_tokens:` (GitLab would); `aud` as the example writes it. */
  idToken: (aud: string | string[], name: string) => string;
  /** CI_JOB_TOKEN, as GitLab gives every job. */
  jobToken?: string;
}

/** The merge request a pipeline runs for (a scheduled pipeline has none). */
export interface PipelineMergeRequest {
  iid: number;
  sha: string;
  sourceBranch: string;
  labels: string[];
}

let ids = 100;

/**
 * `runGitLabCiJob` options for `job` of the example pipeline: a merge-request pipeline for `mr`, or
 * the scheduled reaper's pipeline (PREVIEW_FLEET_REAP=true) without one; `extra` outranks the rest.
 */
export function exampleJob(
  w: PipelineWorld,
  job: string,
  mr: PipelineMergeRequest | undefined,
  extra: Record<string, string> = {},
  o: { jobNode?: string; idToken?: PipelineWorld['idToken'] } = {},
): GitLabCiJobOptions {
  const id = ++ids;
  return {
    dir: EXAMPLE_PIPELINE_DIR,
    job,
    serverUrl: w.gitlabUrl,
    projectId: w.projectId,
    projectPath: w.projectPath,
    ...(mr === undefined
      ? { pipelineSource: 'schedule' }
      : { mergeRequest: { iid: mr.iid, sha: mr.sha, sourceBranch: mr.sourceBranch, labels: mr.labels } }),
    ...(w.jobToken === undefined ? {} : { jobToken: w.jobToken }),
    idToken: o.idToken ?? w.idToken,
    ...(o.jobNode === undefined ? {} : { jobNode: o.jobNode }),
    // helm and kubectl on the job's PATH, as a runner image would have them.
    env: { PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    variables: {
      ...w.sandboxEnv,
      CI_PIPELINE_ID: String(id),
      CI_JOB_ID: String(id),
      CI_JOB_URL: `${w.gitlabUrl}/${w.projectPath}/-/jobs/${id}`,
      ...(mr === undefined ? { PREVIEW_FLEET_REAP: 'true' } : {}),
      PREVIEW_FLEET_GITLAB_TOKEN: w.token,
      PREVIEW_FLEET_CLI: CLI_BUNDLE,
      PREVIEW_FLEET_CHART: join(repoRoot, 'workflows-examples/charts/preview'),
      PREVIEW_FLEET_DOMAIN: w.domain,
      PREVIEW_FLEET_VAULT_ADDR: w.sandboxEnv.VAULT_ADDR ?? '',
      PREVIEW_FLEET_AUTH_METHOD: 'token',
      PREVIEW_FLEET_TOKEN: w.sandboxEnv.VAULT_TOKEN ?? '',
      PREVIEW_FLEET_IMAGE: w.image,
      PREVIEW_FLEET_AWS_REGION: w.sandboxEnv.AWS_REGION ?? '',
      PREVIEW_FLEET_TIMEOUT: '2m',
      ...extra,
    },
  };
}

/** The stage secrets a platform team keeps (seed-vault copies `stage/app` per MR). */
export async function writeStageSecrets(vaultAddr: string, vaultToken: string): Promise<void> {
  const res = await fetch(`${vaultAddr}/v1/secret/data/stage/app`, {
    method: 'POST',
    headers: { 'x-vault-token': vaultToken, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { DATABASE_URL: 'postgres://stage-db/app' } }),
  });
  if (!res.ok) throw new Error(`writing stage secrets: Vault answered ${res.status}`);
}
