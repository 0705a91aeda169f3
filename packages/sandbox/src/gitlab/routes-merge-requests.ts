/**
 * Merge requests and their notes (docs: "Merge requests API", "Notes API → Merge requests").
 * Label changes and state changes are resource events on GitLab, not notes; a push adds a system note.
 */
import { GitLabError, forbidden, missingParam, notFound, validation } from './errors.js';
import * as render from './render.js';
import {
  enumParam,
  intParam,
  labelList,
  listed,
  mergeRequestOf,
  projectOf,
  requireLevel,
  stringParam,
  type Route,
  type RouteContext,
} from './route-kit.js';
import { AccessLevel, type MergeRequestState, type NoteState } from './state.js';

/** GitLab's note length limit (Note::MAX_NOTE_LENGTH). */
const MAX_NOTE_LENGTH = 1_000_000;

/** Offset pagination; gitbeaker also sends `pagination=offset` when told which mode to use. */
const pagination = ['page', 'per_page', 'pagination'];

function touch(ctx: RouteContext, mr: MergeRequestState): void {
  mr.updatedAt = Math.max(ctx.state.clock.now(), mr.updatedAt + 1);
}

/** `labels` filter: all listed labels must be present; "None" = no labels, "Any" = at least one. */
function labelsMatch(mr: MergeRequestState, wanted: string[] | undefined): boolean {
  if (wanted === undefined || wanted.length === 0) return true;
  if (wanted.length === 1 && wanted[0]!.toLowerCase() === 'none') return mr.labels.length === 0;
  if (wanted.length === 1 && wanted[0]!.toLowerCase() === 'any') return mr.labels.length > 0;
  return wanted.every((l) => mr.labels.includes(l));
}

function sorted<T>(items: T[], key: (t: T) => number, sort: string | undefined, defaultSort: 'asc' | 'desc'): T[] {
  const asc = [...items].sort((a, b) => key(a) - key(b));
  return (sort ?? defaultSort) === 'asc' ? asc : asc.reverse();
}

function noteOf(ctx: RouteContext, mr: MergeRequestState): NoteState {
  const n = mr.notes.find((x) => x.id === intParam(ctx, 'note_id'));
  if (n === undefined) throw notFound('Note');
  return n;
}

function noteBody(ctx: RouteContext): string {
  const body = stringParam(ctx, 'body');
  if (body === undefined) throw missingParam('body');
  if (body.trim() === '') throw validation({ note: ["can't be blank"] });
  if (body.length > MAX_NOTE_LENGTH)
    throw validation({ note: [`is too long (maximum is ${MAX_NOTE_LENGTH} characters)`] });
  return body;
}

export const mergeRequestRoutes: Route[] = [
  {
    method: 'GET',
    template: '/projects/:id/merge_requests',
    name: 'MergeRequests.all',
    jobToken: true,
    params: [
      ...pagination,
      'state',
      'labels',
      'order_by',
      'sort',
      'source_branch',
      'target_branch',
      'author_username',
      'iids',
      'view',
      'with_labels_details',
      'scope',
      'draft',
      'wip',
    ],
    handle(ctx) {
      const p = projectOf(ctx);
      const state = enumParam(ctx, 'state', ['opened', 'closed', 'locked', 'merged', 'all'] as const);
      const orderBy = enumParam(ctx, 'order_by', ['created_at', 'updated_at', 'merged_at', 'title'] as const);
      const sort = enumParam(ctx, 'sort', ['asc', 'desc'] as const);
      const labels = labelList(ctx, 'labels', 'query');
      const source = ctx.query.get('source_branch');
      const target = ctx.query.get('target_branch');
      const iids = ctx.query.getAll('iids[]').map(Number);
      const items = [...p.mergeRequests.values()].filter(
        (mr) =>
          (state === undefined || state === 'all' || mr.state === state) &&
          labelsMatch(mr, labels) &&
          (source === null || mr.sourceBranch === source) &&
          (target === null || mr.targetBranch === target) &&
          (iids.length === 0 || iids.includes(mr.iid)),
      );
      const key = (mr: MergeRequestState): number =>
        orderBy === 'updated_at'
          ? mr.updatedAt
          : orderBy === 'merged_at'
            ? (mr.mergedAt ?? 0)
            : mr.createdAt * 1000 + mr.iid;
      return listed(sorted(items, key, sort, 'desc'), ctx.query, (mr) => render.mergeRequest(ctx.state, p, mr));
    },
  },
  {
    method: 'GET',
    template: '/projects/:id/merge_requests/:merge_request_iid',
    name: 'MergeRequests.show',
    jobToken: true,
    params: ['render_html', 'include_diverged_commits_count', 'include_rebase_in_progress'],
    handle: (ctx) => ({ status: 200, body: render.mergeRequest(ctx.state, projectOf(ctx), mergeRequestOf(ctx)) }),
  },
  {
    method: 'PUT',
    template: '/projects/:id/merge_requests/:merge_request_iid',
    name: 'MergeRequests.edit',
    jobToken: false,
    minLevel: AccessLevel.reporter,
    params: ['add_labels', 'remove_labels', 'labels', 'state_event', 'title', 'description', 'target_branch'],
    handle(ctx) {
      const p = projectOf(ctx);
      const mr = mergeRequestOf(ctx);
      const known = ['add_labels', 'remove_labels', 'labels', 'state_event', 'title', 'description', 'target_branch'];
      if (!known.some((k) => ctx.body[k] !== undefined))
        throw new GitLabError(400, {
          error: `${known.join(', ')} are missing, at least one parameter must be provided`,
        });
      if (ctx.body.state_event !== undefined) requireLevel(ctx, AccessLevel.developer);
      const set = labelList(ctx, 'labels');
      if (set !== undefined) mr.labels = set;
      for (const l of labelList(ctx, 'add_labels') ?? []) if (!mr.labels.includes(l)) mr.labels.push(l);
      const remove = labelList(ctx, 'remove_labels') ?? [];
      mr.labels = mr.labels.filter((l) => !remove.includes(l));
      const title = stringParam(ctx, 'title');
      if (title !== undefined) mr.title = title;
      const description = stringParam(ctx, 'description');
      if (description !== undefined) mr.description = description;
      const event = ctx.body.state_event;
      if (event === 'close' && mr.state === 'opened')
        Object.assign(mr, { state: 'closed', closedAt: ctx.state.clock.now(), closedBy: ctx.caller.user });
      else if (event === 'reopen' && mr.state === 'closed')
        Object.assign(mr, { state: 'opened', closedAt: undefined, closedBy: undefined });
      else if (event !== undefined && event !== 'close' && event !== 'reopen')
        throw new GitLabError(400, { error: 'state_event does not have a valid value' });
      touch(ctx, mr);
      return { status: 200, body: render.mergeRequest(ctx.state, p, mr) };
    },
  },
  {
    method: 'GET',
    template: '/projects/:id/merge_requests/:merge_request_iid/notes',
    name: 'MergeRequestNotes.all',
    jobToken: true,
    params: [...pagination, 'sort', 'order_by', 'activity_filter'],
    handle(ctx) {
      const p = projectOf(ctx);
      const mr = mergeRequestOf(ctx);
      const sort = enumParam(ctx, 'sort', ['asc', 'desc'] as const);
      const orderBy = enumParam(ctx, 'order_by', ['created_at', 'updated_at'] as const);
      const filter = enumParam(ctx, 'activity_filter', ['all_notes', 'only_comments', 'only_activity'] as const);
      const visible = mr.notes.filter(
        (n) =>
          (!n.internal || ctx.level >= AccessLevel.reporter) &&
          (filter === undefined || filter === 'all_notes' || (filter === 'only_comments' ? !n.system : n.system)),
      );
      const key = (n: NoteState): number =>
        orderBy === 'updated_at' ? n.updatedAt * 1000 + n.id : n.createdAt * 1000 + n.id;
      return listed(sorted(visible, key, sort, 'desc'), ctx.query, (n) => render.note(ctx.state, p, mr, n));
    },
  },
  {
    method: 'GET',
    template: '/projects/:id/merge_requests/:merge_request_iid/notes/:note_id',
    name: 'MergeRequestNotes.show',
    jobToken: true,
    params: [],
    handle(ctx) {
      const mr = mergeRequestOf(ctx);
      return { status: 200, body: render.note(ctx.state, projectOf(ctx), mr, noteOf(ctx, mr)) };
    },
  },
  {
    method: 'POST',
    template: '/projects/:id/merge_requests/:merge_request_iid/notes',
    name: 'MergeRequestNotes.create',
    jobToken: false,
    minLevel: AccessLevel.guest,
    params: ['body', 'internal', 'created_at', 'merge_request_diff_head_sha'],
    handle(ctx) {
      const mr = mergeRequestOf(ctx);
      const body = noteBody(ctx);
      const now = ctx.state.clock.now();
      const n: NoteState = {
        id: ctx.state.nextId('note'),
        body,
        author: ctx.caller.user!,
        system: false,
        internal: ctx.body.internal === true,
        createdAt: now,
        updatedAt: now,
      };
      mr.notes.push(n);
      return { status: 201, body: render.note(ctx.state, projectOf(ctx), mr, n) };
    },
  },
  {
    method: 'PUT',
    template: '/projects/:id/merge_requests/:merge_request_iid/notes/:note_id',
    name: 'MergeRequestNotes.edit',
    jobToken: false,
    minLevel: AccessLevel.guest,
    params: ['body', 'confidential'],
    handle(ctx) {
      const mr = mergeRequestOf(ctx);
      const n = noteOf(ctx, mr);
      const body = noteBody(ctx);
      // Only a note's author may edit it (NotePolicy: admin_note for the author); system notes never.
      if (n.system || n.author.id !== ctx.caller.user?.id) throw forbidden();
      n.body = body;
      n.updatedAt = Math.max(ctx.state.clock.now(), n.updatedAt + 1);
      return { status: 200, body: render.note(ctx.state, projectOf(ctx), mr, n) };
    },
  },
  {
    method: 'DELETE',
    template: '/projects/:id/merge_requests/:merge_request_iid/notes/:note_id',
    name: 'MergeRequestNotes.remove',
    jobToken: false,
    minLevel: AccessLevel.guest,
    params: [],
    handle(ctx) {
      const mr = mergeRequestOf(ctx);
      const n = noteOf(ctx, mr);
      // The author, or a Maintainer and above, may delete a (non-system) note.
      if (n.system || (n.author.id !== ctx.caller.user?.id && ctx.level < AccessLevel.maintainer)) throw forbidden();
      mr.notes.splice(mr.notes.indexOf(n), 1);
      return { status: 204 };
    },
  },
];
