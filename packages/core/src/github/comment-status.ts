/**
 * One status update of a preview: the sticky comment, then the deployment and its status.
 * GitHub failures do not throw: they come back as problems (a 403 explained for fork PRs and
 * read-only tokens), so the caller decides whether a status update may fail a job.
 */
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import type { GitHubClient } from './client.js';
import { isReadOnlyTokenError, statusOf } from './client.js';
import { authorMismatchHint } from './comment-author.js';
import { applyUpdate, mergeSections, type ServiceSection } from './comment-model.js';
import type { RenderContext } from './comment-render.js';
import {
  readStatusComments,
  writeStatusComment,
  type StatusCommentsRead,
  type UpsertResult,
} from './comment-upsert.js';
import {
  createDeploymentStatus,
  deactivateDeployments,
  deploymentStatusFor,
  ensureDeployment,
  getDeployment,
  isOurDeployment,
  lastEnvironmentUrl,
  type DeploymentStatusState,
} from './deployments.js';

export interface PublishStatusOptions {
  owner: string;
  repo: string;
  pr: number;
  /** https://github.com */
  serverUrl: string;
  /** The update (its `sha` is the head commit the deployment is for). */
  section: ServiceSection;
  /** Environment name (`preview/pr-N`), or undefined for no deployment. */
  environment?: string;
  /** The PR comes from a fork: a 403 is the read-only token, said so plainly. */
  isFork?: boolean;
  /** Our own login (the `comment-author` input): only its marker comments are ours. */
  author: string;
}

export interface PublishProblem {
  step: 'comment' | 'deployment';
  message: string;
  /** HTTP status when GitHub answered. */
  status?: number;
  /** 403: the token may not write (fork PR or missing permissions). */
  forbidden: boolean;
  /** 403 from a read-only token (a fork PR's GITHUB_TOKEN). */
  readOnly?: boolean;
}

export interface PublishResult {
  comment?: UpsertResult;
  deploymentId?: number;
  deploymentStatus?: DeploymentStatusState;
  /** Ids of deployments set inactive (state destroyed). */
  deactivated: number[];
  /** Marker comments written by someone else: ignored, left untouched. */
  foreign: Array<{ id: number; author?: string }>;
  problems: PublishProblem[];
}

/** Why a write was refused and how to allow it safely. */
export function forbiddenHint(step: PublishProblem['step'], readOnly: boolean): string {
  const what = step === 'comment' ? 'comment on the pull request' : 'create deployments';
  if (readOnly) {
    return (
      `GitHub refused to ${what} (HTTP 403): this job's token is read-only. Pull requests from forks get a read-only ` +
      'GITHUB_TOKEN and no secrets, so the preview status cannot be written from this job. To opt in safely, post the status ' +
      "from a separate workflow triggered by workflow_run (it runs with the base repository's token and never checks out " +
      "the fork's code) or pass a GitHub App installation token as github-token; never build fork code under pull_request_target."
    );
  }
  return (
    `GitHub refused to ${what} (HTTP 403): the token lacks permission. Give the job ` +
    '"permissions: pull-requests: write" (the comment) and "deployments: write" (the deployment), or set deployment: false.'
  );
}

function problem(step: PublishProblem['step'], err: unknown, isFork: boolean): PublishProblem {
  const status = statusOf(err);
  if (status === 403) {
    const readOnly = isFork || isReadOnlyTokenError(err);
    return { step, status, forbidden: true, readOnly, message: forbiddenHint(step, readOnly) };
  }
  const text = redact(errorText(err)).split('\n')[0];
  return {
    step,
    status,
    forbidden: false,
    message: `Could not ${step === 'comment' ? 'update the PR comment' : 'update the deployment'}: ${text}`,
  };
}

/**
 * Reads the comment, records the update in the deployment (when an environment is given and the
 * update is not stale: the head SHA's deployment gets the state's status, `destroyed` marks the
 * environment's deployments inactive), then writes the comment with the deployment's id, so the
 * next update of the same commit posts its status without looking the deployment up. A stale
 * update (a newer run already recorded this service) changes neither.
 */
export async function publishPreviewStatus(client: GitHubClient, o: PublishStatusOptions): Promise<PublishResult> {
  const out: PublishResult = { deactivated: [], foreign: [], problems: [] };
  const ctx: RenderContext = { serverUrl: o.serverUrl, repository: `${o.owner}/${o.repo}` };
  const target = { owner: o.owner, repo: o.repo, issueNumber: o.pr, author: o.author };
  let read: StatusCommentsRead | undefined;
  try {
    read = await readStatusComments(client, target);
    out.foreign = read.foreign;
  } catch (err) {
    out.problems.push(problem('comment', err, o.isFork === true));
  }
  let section = o.section;
  const stale = read !== undefined && !applyUpdate(read.held, section).applied;
  const state = deploymentStatusFor(section.state);
  if (o.environment && state && !stale) {
    try {
      if (state === 'inactive') {
        out.deactivated = await deactivateDeployments(client, {
          owner: o.owner,
          repo: o.repo,
          environment: o.environment,
          pr: o.pr,
          logUrl: section.runUrl,
        });
        out.deploymentStatus = state;
      } else if (!section.sha) {
        out.problems.push({
          step: 'deployment',
          forbidden: false,
          message: 'No head commit is known for this update, so no deployment was created',
        });
      } else {
        const known = mergeSections(read?.held ?? []).find((s) => s.service === section.service)?.url;
        const id = await postStatus(
          client,
          o,
          ctx.repository,
          state,
          cachedDeployment(read?.held ?? [], section, o.environment),
          known,
        );
        out.deploymentId = id;
        out.deploymentStatus = state;
        section = { ...section, environment: o.environment, deploymentId: id };
      }
    } catch (err) {
      const p = problem('deployment', err, o.isFork === true);
      out.problems.push(p);
      // A read-only token refuses every write: one explanation is enough, and no comment call is wasted.
      if (p.readOnly) {
        p.message += ' The PR comment was not attempted either.';
        return out;
      }
    }
  }
  if (!read) return out;
  try {
    out.comment = await writeStatusComment(client, target, read, section, ctx);
    if (out.comment.createdAs) {
      out.problems.push({
        step: 'comment',
        forbidden: false,
        message: authorMismatchHint('comment-author', out.comment.createdAs, o.author),
      });
    }
  } catch (err) {
    out.problems.push(problem('comment', err, o.isFork === true));
  }
  return out;
}

/** The deployment id a section of the same head SHA and environment recorded, if any. */
export function cachedDeployment(
  held: ServiceSection[],
  update: ServiceSection,
  environment: string,
): number | undefined {
  const same = held.filter((s) => s.deploymentId && s.sha === update.sha && s.environment === environment);
  return (same.find((s) => s.service === update.service) ?? same[0])?.deploymentId;
}

/**
 * Posts the status on the cached deployment, or on the SHA's own (found or created). A cached id
 * is only a hint read back from a comment: it is used only when GitHub says that deployment is
 * this repository's preview of this PR, in this environment, for this commit (one GET). An update
 * without a URL repeats the last known one (the comment's, else GitHub's), so "View deployment"
 * stays through a redeploy; a lookup that fails posts none, as before.
 */
async function postStatus(
  client: GitHubClient,
  o: PublishStatusOptions,
  repository: string,
  state: DeploymentStatusState,
  cached: number | undefined,
  knownUrl?: string,
): Promise<number> {
  let url = o.section.url ?? knownUrl;
  const status = async (deploymentId: number, created = false) =>
    createDeploymentStatus(client, {
      owner: o.owner,
      repo: o.repo,
      deploymentId,
      state,
      environmentUrl: (url ??= await lastEnvironmentUrl(client, {
        owner: o.owner,
        repo: o.repo,
        environment: o.environment!,
        deploymentId,
        pr: o.pr,
        created,
        service: o.section.service,
      }).catch(() => undefined)),
      logUrl: o.section.runUrl,
      description: `${o.section.service}: ${o.section.state}`,
    });
  if (cached !== undefined) {
    const d = await getDeployment(client, { owner: o.owner, repo: o.repo, id: cached });
    if (d && isOurDeployment(d, repository, o.pr) && d.environment === o.environment && d.sha === o.section.sha) {
      try {
        await status(cached);
        return cached;
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    }
  }
  const dep = await ensureDeployment(client, {
    owner: o.owner,
    repo: o.repo,
    environment: o.environment!,
    sha: o.section.sha!,
    repository,
    pr: o.pr,
  });
  await status(dep.id, dep.created);
  return dep.id;
}
