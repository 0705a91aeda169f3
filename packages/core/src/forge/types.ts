/**
 * The forge seam: what the lifecycle needs from the code host, whichever it is (GitHub pull
 * requests, GitLab merge requests). A "change request" is read into the same `PullRequestInfo`
 * the GitHub code uses, so `stillWanted`, the reaper's planning and naming stay one implementation.
 *
 * Failure semantics (design.md): a read that cannot answer throws; only a confirmed "not found"
 * is `undefined`; a list is complete or throws, never partial.
 */
import type { PullRequestInfo } from '../context.js';

export type ForgeKind = 'github' | 'gitlab';

/** One comment (GitHub) or note (GitLab) on a change request. */
export interface ForgeNote {
  id: number;
  body: string;
  /** ISO-8601 creation time. */
  createdAt?: string;
  /** Link to the note. */
  url?: string;
  /** The author's login / username. */
  author?: string;
}

export interface Forge {
  readonly kind: ForgeKind;
  /** `owner/name` (GitHub) or the project path (GitLab): the repository our marks name. */
  readonly repository: string;
  /** The change request now; undefined only when the forge answers 404. Throws when it cannot say. */
  getChangeRequest(number: number): Promise<PullRequestInfo | undefined>;
  /** Every open change request, every page, oldest first; any failing page throws (never a partial list). */
  listOpenChangeRequests(): Promise<PullRequestInfo[]>;
  /** Every note on the change request, every page (system notes left out). */
  listNotes(number: number): Promise<ForgeNote[]>;
  createNote(number: number, body: string): Promise<ForgeNote>;
  updateNote(number: number, id: number, body: string): Promise<void>;
  /** Already gone (404) counts as deleted. */
  deleteNote(number: number, id: number): Promise<void>;
  addLabels(number: number, labels: string[]): Promise<void>;
  close(number: number): Promise<void>;
  /** The change request's web page (for logs and links). */
  changeRequestUrl(number: number): string;
}
