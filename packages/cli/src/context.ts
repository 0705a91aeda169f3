/**
 * What every command needs before anything is contacted: the settings, the GitLab job, the
 * change request number, the services, and the forge. Every error names the setting or variable,
 * the value and what is accepted.
 */
import {
  ActionError,
  InputError,
  onGitLabCi,
  parseList,
  parsePrNumber,
  parseRequestTimeout,
  planService,
  rememberSecret,
} from '@preview-fleet/core';
import { gitlabCurrentUser, gitlabForge } from '@preview-fleet/core/forge/gitlab';
import {
  gitlabForgeOptions,
  parseGitLabUsername,
  readGitLabJob,
  type Forge,
  type GitLabJob,
} from '@preview-fleet/core/forge';
import { parseInvocation, settingEnvName, type Invocation } from './settings.js';

/** Settings whose values are secrets: kept out of every line we print. */
const SECRET_SETTINGS = ['github-token', 'token', 'secret-id', 'sensitive-secret-ref'];

export interface CliContext extends Invocation {
  job: GitLabJob;
  forge: Forge;
  requestTimeoutMs: number;
  services: string[];
  /** The MR number (`--pr-number` or CI_MERGE_REQUEST_IID), when the command has one. */
  pr?: number;
  env: NodeJS.ProcessEnv;
}

export function prepare(argv: readonly string[], env: NodeJS.ProcessEnv): CliContext {
  const inv = parseInvocation(argv, env);
  for (const name of SECRET_SETTINGS) if (inv.values[name]) rememberSecret(inv.values[name]);
  if (!onGitLabCi(env))
    throw new ActionError('preview-fleet (the CLI) runs in GitLab CI jobs: GITLAB_CI is not "true"', {
      hint: 'On GitHub use the actions (uses: preview-fleet@…); outside CI, export the CI_* variables the README lists and GITLAB_CI=true',
    });
  const job = readGitLabJob(env);
  const requestTimeoutMs = parseRequestTimeout(inv.values['request-timeout']!);
  const services = [...new Set(parseList('services', inv.values.services!).map((s) => planService('services', s)))];
  if (services.length === 0) throw new InputError('services', inv.values.services!, 'must list at least one service');
  const given = inv.values['pr-number']!.trim();
  if (given && job.mergeRequestIid !== undefined && Number(given) !== job.mergeRequestIid)
    throw new InputError('pr-number', given, `must match CI_MERGE_REQUEST_IID (${job.mergeRequestIid}) or be empty`);
  const pr = given ? parsePrNumber('pr-number', given) : job.mergeRequestIid;
  if (pr === undefined && inv.command !== 'reap')
    throw new InputError(
      'pr-number',
      '',
      `is required for "${inv.command}" outside a merge request pipeline (CI_MERGE_REQUEST_IID is not set)`,
      `Pass --pr-number N or set ${settingEnvName('pr-number')}`,
    );
  return {
    ...inv,
    job,
    forge: gitlabForge(gitlabForgeOptions(job, requestTimeoutMs)),
    requestTimeoutMs,
    services,
    pr,
    env,
  };
}

/**
 * Who our notes are written by: `comment-author` when given (a GitLab username), else the token's
 * own user (GET /user). A job token cannot ask, so then the setting is required.
 */
export async function noteAuthor(c: CliContext): Promise<string> {
  if (c.given.has('comment-author')) return parseGitLabUsername('comment-author', c.values['comment-author']!);
  if (!c.job.token)
    throw new InputError(
      'comment-author',
      '',
      'is required with CI_JOB_TOKEN (it cannot read its own user): the GitLab username the notes are written by',
      'Or set PREVIEW_FLEET_GITLAB_TOKEN to a project access token: its user is then asked for',
    );
  return gitlabCurrentUser(gitlabForgeOptions(c.job, c.requestTimeoutMs));
}
