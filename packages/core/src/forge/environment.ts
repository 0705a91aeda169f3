/**
 * Which forge a run talks to, from the job's environment. A GitLab CI job sets `GITLAB_CI=true`
 * and the `CI_*` variables below; everything else is GitHub (the actions' own path, unchanged).
 * Every variable is checked before anything is contacted; errors name the variable, its value
 * and what is accepted.
 */
import { ActionError, InputError } from '../runtime/errors.js';
import { maskSecret } from '../runtime/inputs.js';
import { onGitLabCi } from '../runtime/toolkit.js';
import type { GitLabForgeOptions } from './gitlab.js';
import type { Forge } from './types.js';

/** The variable holding a project access token (scope `api`, role Reporter or above) for writing MR notes. */
export const GITLAB_TOKEN_ENV = 'PREVIEW_FLEET_GITLAB_TOKEN';

/** What a GitLab CI job says about itself. */
export interface GitLabJob {
  serverUrl: string;
  projectId: string;
  /** `group/project` */
  projectPath: string;
  /** CI_MERGE_REQUEST_IID: undefined outside merge request pipelines (the reaper's schedule). */
  mergeRequestIid?: number;
  /** CI_COMMIT_SHA: the commit this pipeline builds. */
  sha: string;
  /** CI_PIPELINE_ID: grows with time across the instance, so it orders runs like GitHub's run id. */
  pipelineId: number;
  /** CI_JOB_ID: a retried or later job of one pipeline has a larger id (the run attempt). */
  jobId: number;
  /** CI_JOB_URL: the log to link. */
  jobUrl?: string;
  token?: string;
  jobToken?: string;
}

type Env = Record<string, string | undefined>;

function need(env: Env, name: string, accepted: string, test: (v: string) => boolean): string {
  const v = (env[name] ?? '').trim();
  if (!test(v)) throw new InputError(name, v, accepted, 'GitLab CI sets it in every job; outside CI, export it');
  return v;
}

const positive = (v: string): boolean => /^[1-9][0-9]{0,15}$/.test(v);

/** Reads and checks the GitLab job's variables (tokens are masked as they are read). */
export function readGitLabJob(env: Env = process.env): GitLabJob {
  const serverUrl = need(env, 'CI_SERVER_URL', 'must be the GitLab URL, e.g. https://gitlab.example.com', (v) =>
    /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v),
  ).replace(/\/$/, '');
  const projectId = need(env, 'CI_PROJECT_ID', 'must be the numeric project id', positive);
  // Our marks (Vault custom_metadata, annotations) name a repository as `owner/name`.
  const projectPath = need(
    env,
    'CI_PROJECT_PATH',
    'must be "group/project" (projects in subgroups are not supported yet: the ownership marks name owner/name)',
    (v) => /^[A-Za-z0-9_.][A-Za-z0-9_.-]*\/[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(v),
  );
  const iid = (env.CI_MERGE_REQUEST_IID ?? '').trim();
  if (iid !== '' && !positive(iid))
    throw new InputError('CI_MERGE_REQUEST_IID', iid, 'must be a merge request number (1, 2, …) or unset');
  const sha = (env.CI_COMMIT_SHA ?? '').trim();
  if (sha !== '' && !/^[0-9a-f]{40}$/.test(sha))
    throw new InputError('CI_COMMIT_SHA', sha, 'must be a 40-character commit SHA or unset');
  const pipelineId = need(env, 'CI_PIPELINE_ID', 'must be the pipeline id (a positive number)', positive);
  const jobId = (env.CI_JOB_ID ?? '').trim();
  const token = (env[GITLAB_TOKEN_ENV] ?? '').trim() || undefined;
  const jobToken = (env.CI_JOB_TOKEN ?? '').trim() || undefined;
  if (token) maskSecret(token);
  if (jobToken) maskSecret(jobToken);
  if (!token && !jobToken)
    throw new InputError(
      GITLAB_TOKEN_ENV,
      '',
      'must hold a project access token (scope api) when CI_JOB_TOKEN is not set',
      'Create a project access token and store it as a masked CI/CD variable named PREVIEW_FLEET_GITLAB_TOKEN',
    );
  return {
    serverUrl,
    projectId,
    projectPath,
    mergeRequestIid: iid === '' ? undefined : Number(iid),
    sha,
    pipelineId: Number(pipelineId),
    jobId: positive(jobId) ? Number(jobId) : 1,
    jobUrl: (env.CI_JOB_URL ?? '').trim() || undefined,
    token,
    jobToken,
  };
}

/** The forge options of a job. */
export function gitlabForgeOptions(job: GitLabJob, requestTimeoutMs?: number): GitLabForgeOptions {
  return {
    serverUrl: job.serverUrl,
    projectId: job.projectId,
    projectPath: job.projectPath,
    token: job.token,
    jobToken: job.jobToken,
    requestTimeoutMs,
  };
}

/** Builds the GitLab adapter; registered by the CLI (`useGitLabForge`), so the GitHub actions' bundles never carry @gitbeaker. */
export type GitLabForgeFactory = (o: GitLabForgeOptions) => Forge;
let gitlabFactory: GitLabForgeFactory | undefined;

/** Registers the GitLab adapter (the CLI's entry does, before running any step). */
export function useGitLabForge(factory: GitLabForgeFactory): void {
  gitlabFactory = factory;
}

/**
 * The forge of this job when it is not GitHub's: a GitLab job (GITLAB_CI) gets the GitLab adapter;
 * undefined inside GitHub Actions, where every action keeps its own GitHub path.
 */
export function forgeFromEnvironment(env: Env = process.env, requestTimeoutMs?: number): Forge | undefined {
  if (!onGitLabCi(env as NodeJS.ProcessEnv)) return undefined;
  if (!gitlabFactory)
    throw new ActionError('This bundle has no GitLab adapter: in a GitLab job, run the preview-fleet CLI', {
      hint: 'node preview-fleet.mjs deploy|teardown|reap|status (packages/cli)',
    });
  return gitlabFactory(gitlabForgeOptions(readGitLabJob(env), requestTimeoutMs));
}

/** A GitLab username (letters, digits, `_`, `.`, `-`; project bots are `project_<id>_bot_<hash>`). */
export function parseGitLabUsername(name: string, value: string): string {
  const v = value.trim();
  if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,254}$/.test(v))
    throw new InputError(
      name,
      value,
      'must be the GitLab username the token writes notes as, e.g. project_42_bot_1a2b3c',
      "A project access token's user is shown under Settings → Access tokens; empty asks GitLab (GET /user)",
    );
  return v;
}

/** Set by the CLI for its steps: the GitLab username our status notes are written by. */
export const NOTE_AUTHOR_ENV = 'PREVIEW_FLEET_NOTE_AUTHOR';

/** The note author the CLI resolved (`comment-author`, or the token's user). */
export function gitlabNoteAuthor(env: Env = process.env): string {
  return parseGitLabUsername(NOTE_AUTHOR_ENV, env[NOTE_AUTHOR_ENV] ?? '');
}
