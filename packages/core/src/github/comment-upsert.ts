/**
 * The one sticky status comment per PR: found by its marker AND its author (our own login, see
 * comment-author.ts) across every page of comments, created when missing, collapsed to the oldest when a race created several, patched only when
 * the body changes. With ≤ 100 comments an update costs 2 REST calls (list + create/patch), plus
 * one read-back when another service's row changed in the last 15 minutes (see othersActive).
 * A marker comment written by anyone else is never read, edited or deleted.
 */
import type { GitHubClient } from './client.js';
import { statusOf } from './client.js';
import { isAuthoredBy } from './comment-author.js';
import {
  applyUpdate,
  compareSections,
  isStatusComment,
  mergeSections,
  parseStatusComment,
  type ServiceSection,
} from './comment-model.js';
import { renderStatusComment, type RenderContext } from './comment-render.js';

export interface StatusCommentTarget {
  owner: string;
  repo: string;
  /** The PR (issue) number. */
  issueNumber: number;
  /** Our own login: only comments it wrote are ours (comment-author.ts). */
  author: string;
}

export interface StoredComment {
  id: number;
  body: string;
  createdAt?: string;
  htmlUrl?: string;
  /** The author's login. */
  author?: string;
}

export interface UpsertResult {
  commentId: number;
  commentUrl: string;
  /** What the comment did: created, updated, unchanged (no PATCH). */
  action: 'created' | 'updated' | 'unchanged';
  /** False when a newer run already recorded this service: the update was kept out. */
  applied: boolean;
  /** The section now shown for the updated service. */
  current: ServiceSection;
  /** Every section the comment now holds. */
  sections: ServiceSection[];
  /** Duplicate status comments deleted (a race between two first runs). */
  deletedDuplicates: number[];
  /** Set when the comment we created came back written by another login than `author`. */
  createdAs?: string;
}

/** Every comment on the PR, 100 per page (pagination follows the Link header to the end). */
export async function listIssueComments(client: GitHubClient, t: StatusCommentTarget): Promise<StoredComment[]> {
  const all = await client.paginate(client.rest.issues.listComments, {
    owner: t.owner,
    repo: t.repo,
    issue_number: t.issueNumber,
    per_page: 100,
  });
  return all.map((c) => ({
    id: c.id,
    body: c.body ?? '',
    createdAt: c.created_at,
    htmlUrl: c.html_url,
    author: c.user?.login,
  }));
}

/** Our status comments (marker and `author`), oldest first (creation time, then id). */
export function findStatusComments(comments: StoredComment[], author: string): StoredComment[] {
  return comments
    .filter((c) => isStatusComment(c.body) && isAuthoredBy(c.author, author))
    .sort((a, b) => {
      const ta = a.createdAt ? Date.parse(a.createdAt) : NaN;
      const tb = b.createdAt ? Date.parse(b.createdAt) : NaN;
      if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
      return a.id - b.id;
    });
}

/**
 * Records `update` in the PR's status comment. Several status comments (two runs created one at
 * the same time) are collapsed: the oldest keeps every section, the others are deleted (a 404
 * there means another run deleted it first). An older run never overwrites a newer section.
 */
export async function upsertStatusComment(
  client: GitHubClient,
  t: StatusCommentTarget,
  update: ServiceSection,
  ctx: RenderContext,
): Promise<UpsertResult> {
  return writeStatusComment(client, t, await readStatusComments(client, t), update, ctx);
}

/** What the PR's status comments hold now: ours oldest first, and their sections merged. */
export interface StatusCommentsRead {
  ours: StoredComment[];
  held: ServiceSection[];
  /** Comments carrying our marker written by someone else: ignored and left untouched. */
  foreign: Array<{ id: number; author?: string }>;
}

/** Reads every page of comments once (the first half of an upsert). */
export async function readStatusComments(client: GitHubClient, t: StatusCommentTarget): Promise<StatusCommentsRead> {
  const all = await listIssueComments(client, t);
  const ours = findStatusComments(all, t.author);
  const foreign = all
    .filter((c) => isStatusComment(c.body) && !isAuthoredBy(c.author, t.author))
    .map((c) => ({ id: c.id, author: c.author }));
  return { ours, held: mergeSections(...ours.map((c) => parseStatusComment(c.body))), foreign };
}

/** The second half of an upsert: create, patch (only when the body changes) and collapse. */
export async function writeStatusComment(
  client: GitHubClient,
  t: StatusCommentTarget,
  read: StatusCommentsRead,
  update: ServiceSection,
  ctx: RenderContext,
): Promise<UpsertResult> {
  const { ours, held } = read;
  const { sections, applied, current } = applyUpdate(held, update);
  const body = renderStatusComment(sections, ctx);
  let action: UpsertResult['action'] = 'unchanged';
  let keep = ours[0];
  let createdAs: string | undefined;
  if (!keep) {
    const { data } = await client.rest.issues.createComment({
      owner: t.owner,
      repo: t.repo,
      issue_number: t.issueNumber,
      body,
    });
    keep = { id: data.id, body, htmlUrl: data.html_url, author: data.user?.login };
    action = 'created';
    if (data.user?.login && !isAuthoredBy(data.user.login, t.author)) createdAs = data.user.login;
  } else if (keep.body !== body) {
    const { data } = await client.rest.issues.updateComment({
      owner: t.owner,
      repo: t.repo,
      comment_id: keep.id,
      body,
    });
    keep = { ...keep, body, htmlUrl: data.html_url ?? keep.htmlUrl };
    action = 'updated';
  }
  const deletedDuplicates: number[] = [];
  for (const dup of ours.slice(1)) {
    try {
      await client.rest.issues.deleteComment({ owner: t.owner, repo: t.repo, comment_id: dup.id });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    deletedDuplicates.push(dup.id);
  }
  let final = sections;
  if (action === 'updated' && othersActive(sections, update)) {
    final = await keepAfterConcurrentWrites(client, t, keep.id, sections, current, ctx);
  }
  return {
    commentId: keep.id,
    commentUrl: keep.htmlUrl ?? `${ctx.serverUrl}/${ctx.repository}/pull/${t.issueNumber}#issuecomment-${keep.id}`,
    action,
    applied,
    current,
    sections: final,
    deletedDuplicates,
    ...(createdAs ? { createdAs } : {}),
  };
}

/** Window in which another service's update counts as concurrent (matrix jobs of one run). */
export const CONCURRENT_WINDOW_MS = 15 * 60_000;

/**
 * True when another service's row changed shortly before this update: its job may be writing the
 * same comment right now. Only then is the write read back (one GET), so a single-service PR pays
 * nothing for it.
 */
export function othersActive(sections: ServiceSection[], update: ServiceSection): boolean {
  const now = Date.parse(update.updatedAt);
  return sections.some(
    (s) => s.service !== update.service && Math.abs(now - Date.parse(s.updatedAt)) <= CONCURRENT_WINDOW_MS,
  );
}

/**
 * GitHub has no conditional PATCH for comments, so two jobs updating different services at the
 * same moment can each write a body without the other's row (last writer wins). Read the comment
 * back; while our row is missing or older than what we wrote, merge again and re-write (3 tries).
 */
async function keepAfterConcurrentWrites(
  client: GitHubClient,
  t: StatusCommentTarget,
  id: number,
  ours: ServiceSection[],
  current: ServiceSection,
  ctx: RenderContext,
): Promise<ServiceSection[]> {
  let latest = ours;
  for (let attempt = 0; attempt < 3; attempt++) {
    const { data } = await client.rest.issues.getComment({ owner: t.owner, repo: t.repo, comment_id: id });
    const stored = parseStatusComment(data.body ?? '');
    const mine = stored.find((s) => s.service === current.service);
    if (mine && compareSections(mine, current) >= 0) return stored;
    latest = mergeSections(stored, ours);
    await client.rest.issues.updateComment({
      owner: t.owner,
      repo: t.repo,
      comment_id: id,
      body: renderStatusComment(latest, ctx),
    });
  }
  return latest;
}
