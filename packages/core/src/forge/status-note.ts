/**
 * The sticky status note over any forge: the same model as GitHub's sticky comment
 * (comment-model.ts: same sections, same hidden JSON, same newer-run-wins merge) found by our
 * marker AND our author. One note per change request, updated in place; duplicates from a race
 * collapse to the oldest. Marker notes written by anyone else are never parsed, edited or deleted.
 */
import { isAuthoredBy } from '../github/comment-author.js';
import {
  applyUpdate,
  isStatusComment,
  mergeSections,
  parseStatusComment,
  type PreviewState,
  type ServiceSection,
} from '../github/comment-model.js';
import { renderStatusComment, type RenderContext } from '../github/comment-render.js';
import { findStatusComments } from '../github/comment-upsert.js';
import { teardownSections } from '../github/teardown-sections.js';
import type { Forge, ForgeNote } from './types.js';

export interface StatusNoteRead {
  /** Our notes (marker and author), oldest first. */
  ours: ForgeNote[];
  /** Their sections, merged. */
  held: ServiceSection[];
  /** Marker notes written by someone else: ignored. */
  foreign: Array<{ id: number; author?: string }>;
}

/** Reads every note once and splits ours (marker and `author`) from foreign marker notes. */
export async function readStatusNotes(forge: Forge, number: number, author: string): Promise<StatusNoteRead> {
  const all = await forge.listNotes(number);
  const ours = findStatusComments(all, author);
  const foreign = all
    .filter((n) => isStatusComment(n.body) && !isAuthoredBy(n.author, author))
    .map((n) => ({ id: n.id, author: n.author }));
  return { ours, held: mergeSections(...ours.map((n) => parseStatusComment(n.body))), foreign };
}

export interface StatusNoteResult {
  noteId: number;
  noteUrl: string;
  action: 'created' | 'updated' | 'unchanged';
  /** False when a newer run already recorded this service (the update was kept out). */
  applied: boolean;
  sections: ServiceSection[];
  foreign: Array<{ id: number; author?: string }>;
  deletedDuplicates: number[];
}

/** Records `update` in the change request's one status note (created when missing, never duplicated). */
export async function upsertStatusNote(
  forge: Forge,
  number: number,
  author: string,
  update: ServiceSection,
  ctx: RenderContext,
): Promise<StatusNoteResult> {
  const read = await readStatusNotes(forge, number, author);
  const { sections, applied } = applyUpdate(read.held, update);
  const body = renderStatusComment(sections, ctx);
  let keep = read.ours[0];
  let action: StatusNoteResult['action'] = 'unchanged';
  if (!keep) {
    keep = await forge.createNote(number, body);
    action = 'created';
  } else if (keep.body !== body) {
    await forge.updateNote(number, keep.id, body);
    action = 'updated';
  }
  const deletedDuplicates: number[] = [];
  for (const dup of read.ours.slice(1)) {
    await forge.deleteNote(number, dup.id);
    deletedDuplicates.push(dup.id);
  }
  return {
    noteId: keep.id,
    noteUrl: keep.url ?? forge.changeRequestUrl(number),
    action,
    applied,
    sections,
    foreign: read.foreign,
    deletedDuplicates,
  };
}

export interface AnnounceNoteOptions {
  number: number;
  author: string;
  state: Extract<PreviewState, 'tearing-down' | 'destroyed' | 'failed'>;
  /** Services to show besides those the note already holds. */
  services: string[];
  /** Markdown for the first service's details (the removal table). */
  details?: string;
  runId: number;
  runAttempt: number;
  runUrl?: string;
  now: number;
  render: RenderContext;
}

/**
 * Teardown's update of the note: every service moves to `state` in one edit. Never creates a
 * note (a change request without ours never showed a preview); 'no-note' also when it is gone (404).
 */
export async function announceTeardownNote(
  forge: Forge,
  o: AnnounceNoteOptions,
): Promise<'no-note' | 'updated' | 'unchanged'> {
  let read: StatusNoteRead;
  try {
    read = await readStatusNotes(forge, o.number, o.author);
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return 'no-note';
    throw err;
  }
  const keep = read.ours[0];
  if (!keep) return 'no-note';
  const body = renderStatusComment(teardownSections(read.held, o), o.render);
  if (body === keep.body) return 'unchanged';
  await forge.updateNote(o.number, keep.id, body);
  return 'updated';
}
