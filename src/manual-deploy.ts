/**
 * The gate in front of a manual (`workflow_dispatch`) deploy: the event carries no PR, so GitHub
 * is asked now whether it is open, whose code its head is and whether `approve-sha` still names
 * that head. A fork is deployed only with a matching approval (issue 16 part 4); deploy-helm
 * checks again right before helm runs.
 */
import {
  ActionError,
  approvalNote,
  checkApproval,
  input,
  parseApproveSha,
  parseRequestTimeout,
  type ActionContext,
} from '@preview-fleet/core';
import { createGitHubClient, getPullRequest } from '@preview-fleet/core/github';

/** Refuses (throws, nothing created) unless the PR may be deployed; returns the comment's note, '' for none. */
export async function approveManualDeploy(ctx: ActionContext, pr: number): Promise<string> {
  const approveSha = parseApproveSha(input.string('approve-sha'), ctx.eventName);
  const token = input.string('github-token');
  if (token === '') {
    throw new ActionError(
      `A manual deploy of PR #${pr} needs github-token: whether the PR is a fork's, and its head, are read from GitHub first`,
    );
  }
  const client = createGitHubClient(token, {
    baseUrl: ctx.apiUrl,
    requestTimeoutMs: parseRequestTimeout(input.string('request-timeout')),
  });
  const current = await getPullRequest(client, ctx.repository, pr);
  if (!current)
    throw new ActionError(`Refusing to deploy PR #${pr}: GitHub has no pull request #${pr} in ${ctx.repository}`);
  if (current.state !== 'open')
    throw new ActionError(`Refusing to deploy PR #${pr}: it is ${current.merged ? 'merged' : 'closed'}`);
  return approvalNote(checkApproval(current, approveSha), ctx.actor);
}
