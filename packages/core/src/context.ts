/**
 * The pull request an action is about, from the event payload (`GITHUB_EVENT_PATH`) or, for
 * `workflow_dispatch` and `schedule`, from a `pr-number` input (the PR is fetched later).
 */
import { readFileSync } from 'node:fs';
import { InputError, ActionError } from './runtime/errors.js';
import { parsePrNumber } from './runtime/parse.js';

export interface PullRequestInfo {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  headSha: string;
  headRef: string;
  baseRef: string;
  author: string;
  labels: string[];
  /** Head repository differs from the base repository: the job gets a read-only token. */
  isFork: boolean;
  updatedAt?: string;
}

export interface ActionContext {
  eventName: string;
  /** The payload's `action` (opened, synchronize, closed, …) when there is one. */
  action?: string;
  owner: string;
  repo: string;
  /** `owner/name` */
  repository: string;
  /** From the payload for pull_request events; otherwise undefined until fetched. */
  pr?: PullRequestInfo;
  /** The PR this run is about, when known (payload or `pr-number` input). */
  prNumber?: number;
  /** The label that was added or removed, for labeled / unlabeled. */
  label?: string;
  runId: number;
  runAttempt: number;
  serverUrl: string;
  apiUrl: string;
  /** Link to this workflow run. */
  runUrl: string;
  sha: string;
  actor: string;
  /** workflow_dispatch inputs, verbatim. */
  dispatchInputs: Record<string, string>;
  /** issue_comment on a pull request: what was written and by whom (a `/preview wake`). */
  comment?: { body: string; author: string };
}

type Env = Record<string, string | undefined>;

/** Builds the context from the runner's environment and the event payload. Pure: tests pass both. */
export function parseContext(env: Env, payload: any, prNumberInput = ''): ActionContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const repository = env.GITHUB_REPOSITORY ?? payload?.repository?.full_name ?? '';
  const [owner = '', repo = ''] = repository.split('/');
  if (!owner || !repo) {
    throw new ActionError(`GITHUB_REPOSITORY must be "owner/name", got "${repository}"`, {
      hint: 'This action runs inside a GitHub Actions job, which sets GITHUB_REPOSITORY.',
    });
  }
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const runId = Number(env.GITHUB_RUN_ID ?? 0);
  const ctx: ActionContext = {
    eventName,
    action: typeof payload?.action === 'string' ? payload.action : undefined,
    owner,
    repo,
    repository,
    runId,
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? 1),
    serverUrl,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    runUrl: `${serverUrl}/${repository}/actions/runs/${runId}`,
    sha: env.GITHUB_SHA ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    dispatchInputs: eventName === 'workflow_dispatch' && payload?.inputs ? { ...payload.inputs } : {},
  };
  if ((eventName === 'pull_request' || eventName === 'pull_request_target') && payload?.pull_request) {
    ctx.pr = pullRequestFromPayload(payload.pull_request);
    ctx.prNumber = ctx.pr.number;
    if (typeof payload.label?.name === 'string') ctx.label = payload.label.name;
  }
  // A comment on a pull request (issue_comment fires for issues too: only a PR's issue has pull_request).
  if (eventName === 'issue_comment' && payload?.issue?.pull_request && Number.isSafeInteger(payload.issue.number)) {
    ctx.prNumber = payload.issue.number;
    ctx.comment = { body: String(payload.comment?.body ?? ''), author: String(payload.comment?.user?.login ?? '') };
  }
  const input = prNumberInput.trim() || (ctx.dispatchInputs['pr-number'] ?? '').trim();
  if (input !== '') {
    const n = parsePrNumber('pr-number', input);
    if (ctx.prNumber !== undefined && ctx.prNumber !== n) {
      throw new InputError('pr-number', input, `must match the event's pull request #${ctx.prNumber} or be empty`);
    }
    ctx.prNumber = n;
  }
  return ctx;
}

/** A PR from a REST or webhook `pull_request` object. */
export function pullRequestFromPayload(pr: any): PullRequestInfo {
  const headRepo = pr.head?.repo?.full_name;
  const baseRepo = pr.base?.repo?.full_name;
  return {
    number: Number(pr.number),
    state: pr.state === 'closed' ? 'closed' : 'open',
    merged: pr.merged === true || (pr.merged_at !== null && pr.merged_at !== undefined),
    headSha: String(pr.head?.sha ?? ''),
    headRef: String(pr.head?.ref ?? ''),
    baseRef: String(pr.base?.ref ?? ''),
    author: String(pr.user?.login ?? ''),
    labels: Array.isArray(pr.labels) ? pr.labels.map((l: any) => String(l?.name ?? l)) : [],
    // A deleted fork has head.repo null: still not our repository.
    isFork: headRepo === undefined ? false : headRepo === null || headRepo !== baseRepo,
    updatedAt: typeof pr.updated_at === 'string' ? pr.updated_at : undefined,
  };
}

/** Reads the runner's environment and `GITHUB_EVENT_PATH`. */
export function loadContext(prNumberInput = '', env: Env = process.env): ActionContext {
  let payload: any = {};
  const path = env.GITHUB_EVENT_PATH;
  if (path) {
    try {
      payload = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ActionError(`Cannot read the event payload at GITHUB_EVENT_PATH=${path}`, { cause: err });
    }
  }
  return parseContext(env, payload, prNumberInput);
}

/** The PR number or a clear error for events that carry none (workflow_dispatch, schedule). */
export function requirePrNumber(ctx: ActionContext): number {
  if (ctx.prNumber !== undefined) return ctx.prNumber;
  throw new InputError(
    'pr-number',
    '',
    `is required for the "${ctx.eventName || 'unknown'}" event, which carries no pull request`,
    'Pass the PR number, e.g. pr-number: ${{ inputs.pr-number }}',
  );
}

/** GitHub Security Lab's hardening guidance on `pull_request_target` and fork code ("pwn requests"). */
export const PWN_REQUEST_GUIDANCE = 'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/';

/**
 * Internal opt-in to deploying a fork's head. Nothing sets it yet: the maintainer-facing opt-in
 * is a later issue, so until then every deploy path refuses fork code.
 */
export const ALLOW_FORK_HEAD_ENV = 'PREVIEW_FLEET_ALLOW_FORK_HEAD';

/** Whether this run may build or deploy a fork's head (only with the explicit internal opt-in). */
export function forkHeadAllowed(env: Env = process.env): boolean {
  return env[ALLOW_FORK_HEAD_ENV] === 'true';
}

/**
 * Refuses to build, seed or deploy when the event's PR comes from a fork: its code is not ours to
 * run with our credentials. Called before anything is created. `what` names the step's act.
 */
export function refuseForkHead(ctx: ActionContext, what: string, env: Env = process.env): void {
  if (!ctx.pr?.isFork || forkHeadAllowed(env)) return;
  throw new ActionError(
    `Refusing to ${what} for PR #${ctx.pr.number}: its head (${ctx.pr.headRef || 'unknown branch'}) comes from a fork, and fork code is never built or deployed with this repository's credentials`,
    {
      hint: `Run previews only for branches of this repository. Never build fork code under pull_request_target: ${PWN_REQUEST_GUIDANCE}`,
    },
  );
}
