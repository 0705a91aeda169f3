/**
 * A maintainer's approval of one commit of a pull request (issue 16 part 4): the only way a fork's
 * code is deployed. A manual (`workflow_dispatch`) deploy names the head it reviewed in
 * `approve-sha`; the run deploys exactly that commit and refuses when the PR's head is anything else.
 */
import type { PullRequestInfo } from './context.js';
import { ActionError, InputError } from './runtime/errors.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * `approve-sha`: empty, or the full 40-hex commit a maintainer reviewed. Only a manual run may
 * carry one (checked when `eventName` is given): a pull_request event is the PR author's, so its
 * approval would be the author's own.
 */
export function parseApproveSha(raw: string, eventName?: string): string | undefined {
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  if (!FULL_SHA.test(value)) {
    throw new InputError(
      'approve-sha',
      raw,
      'must be the full 40-character commit SHA of the PR head you reviewed (or empty)',
      'Copy it from the PR\'s "Commits" tab; a short SHA could match a commit pushed later',
    );
  }
  if (eventName !== undefined && eventName !== 'workflow_dispatch') {
    throw new InputError(
      'approve-sha',
      raw,
      `is only for workflow_dispatch runs (a maintainer's manual deploy), not "${eventName || 'unknown'}" events`,
      'Leave it empty in pull_request workflows',
    );
  }
  return value;
}

/** The commit a deploy of this PR may run, and whether it is a fork's approved head. */
export interface ApprovedHead {
  sha: string;
  fork: boolean;
  /** A maintainer named this commit in approve-sha. */
  approved: boolean;
}

/**
 * The head this run may deploy, from GitHub's view of the PR now: a fork's head only when it is
 * exactly `approveSha`; any PR's head, when `approveSha` is given, only when it still equals it.
 * Throws an ActionError naming both SHAs otherwise; nothing has been created when it does.
 */
export function checkApproval(pr: PullRequestInfo, approveSha: string | undefined): ApprovedHead {
  if (approveSha === undefined) {
    if (pr.isFork) {
      throw new ActionError(
        `Refusing to deploy PR #${pr.number}: its head ${pr.headSha} comes from a fork and no approve-sha was given`,
        { hint: `Review the code at ${pr.headSha}, then run the manual deploy again with approve-sha: ${pr.headSha}` },
      );
    }
    return { sha: pr.headSha, fork: false, approved: false };
  }
  if (pr.headSha !== approveSha) {
    throw new ActionError(
      `Refusing to deploy PR #${pr.number}: approve-sha is ${approveSha} but the PR's head is now ${pr.headSha}; the code changed after it was approved (or the SHA is not this PR's head)`,
      {
        hint: `Review the commits after ${approveSha.slice(0, 12)}, then approve the new head: approve-sha: ${pr.headSha}`,
      },
    );
  }
  return { sha: approveSha, fork: pr.isFork, approved: true };
}

/** The PR comment's note on an approved fork deploy: later pushes wait for a new approval. */
export function approvalNote(head: ApprovedHead, actor: string): string {
  if (!head.fork || !head.approved) return '';
  return (
    `🔒 Fork PR: this preview runs commit \`${head.sha.slice(0, 12)}\`, approved${actor ? ` by @${actor}` : ''}. ` +
    'Pushes after it are not deployed until a maintainer reviews the new head and runs the manual deploy with its SHA as `approve-sha`.'
  );
}
