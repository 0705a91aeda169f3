/**
 * Teardown's updates of the sticky comment. Teardown never creates a comment: a PR without our
 * status comment never had a preview shown to anyone, so it gets no comment at all (the no-op).
 * Only marker comments written by `author` are ours; anyone else's are left untouched.
 * Every service the comment shows moves to the new state in ONE edit (list + patch), the first
 * one carrying the per-resource table.
 */
import { statusOf, type GitHubClient } from '../github/client.js';
import { mergeSections, parseStatusComment, type PreviewState } from '../github/comment-model.js';
import { renderStatusComment } from '../github/comment-render.js';
import { findStatusComments, listIssueComments } from '../github/comment-upsert.js';
import { teardownSections } from '../github/teardown-sections.js';

export interface AnnounceOptions {
  owner: string;
  repo: string;
  pr: number;
  /** Our own login (the `comment-author` input). */
  author: string;
  state: Extract<PreviewState, 'tearing-down' | 'destroyed' | 'failed' | 'sleeping'>;
  /** Shown after the state (how a sleeping preview wakes). */
  stateNote?: string;
  /** The hourly estimate to show (a sleeping preview's storage). */
  cost?: string;
  /** Services to show besides those the comment already holds (teardown's `services` input). */
  services: string[];
  /** Markdown for the first service's details (the removal table). */
  details?: string;
  runId: number;
  runAttempt: number;
  runUrl?: string;
  serverUrl: string;
  now: number;
}

/** 'no-comment' when the PR has no status comment, or no longer exists (nothing is created). */
export async function announceTeardown(
  client: GitHubClient,
  o: AnnounceOptions,
): Promise<'no-comment' | 'updated' | 'unchanged'> {
  let listed;
  try {
    listed = await listIssueComments(client, { owner: o.owner, repo: o.repo, issueNumber: o.pr, author: o.author });
  } catch (err) {
    // The reaper's "missing" PRs: a deleted issue answers 404, and there is nobody to tell.
    if (statusOf(err) === 404) return 'no-comment';
    throw err;
  }
  const ours = findStatusComments(listed, o.author);
  const keep = ours[0];
  if (!keep) return 'no-comment';
  const held = mergeSections(...ours.map((c) => parseStatusComment(c.body)));
  const body = renderStatusComment(teardownSections(held, o), {
    serverUrl: o.serverUrl,
    repository: `${o.owner}/${o.repo}`,
  });
  if (body === keep.body) return 'unchanged';
  await client.rest.issues.updateComment({ owner: o.owner, repo: o.repo, comment_id: keep.id, body });
  return 'updated';
}
