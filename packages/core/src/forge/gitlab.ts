/**
 * GitLab behind the forge seam, over `@gitbeaker/rest`: merge requests read into the same
 * `PullRequestInfo` as GitHub's pull requests, the MR's notes for the sticky status note, labels
 * and closing for the reaper. Pages are read one at a time (`page` + `perPage`, `showExpanded` for
 * GitLab's `x-next-page` header) so a failing page fails the whole list instead of ending it early.
 */
import { Gitlab } from '@gitbeaker/rest';
import type { PullRequestInfo } from '../context.js';
import { ActionError } from '../runtime/errors.js';
import { waitingOn } from '../runtime/deadline.js';
import type { Forge, ForgeNote } from './types.js';

const PER_PAGE = 100;

export interface GitLabForgeOptions {
  /** CI_SERVER_URL, e.g. https://gitlab.example.com */
  serverUrl: string;
  /** CI_PROJECT_ID (numeric) or the URL-encoded project path. */
  projectId: string | number;
  /** CI_PROJECT_PATH (`group/project`): the repository our marks name. */
  projectPath: string;
  /** A project access token (PRIVATE-TOKEN) — needed to write notes — or else the job's CI_JOB_TOKEN. */
  token?: string;
  jobToken?: string;
  /** One request's bound (gitbeaker's queryTimeout). */
  requestTimeoutMs?: number;
}

interface MergeRequestJson {
  iid: number;
  state: string;
  sha?: string | null;
  source_branch?: string;
  target_branch?: string;
  author?: { username?: string } | null;
  labels?: Array<string | { name?: string }>;
  source_project_id?: number;
  target_project_id?: number;
  updated_at?: string;
  merged_at?: string | null;
}

interface NoteJson {
  id: number;
  body?: string;
  system?: boolean;
  created_at?: string;
  author?: { username?: string } | null;
}

interface Expanded<T> {
  data: T;
  paginationInfo: { next: number | null };
}

/** The HTTP status of a gitbeaker error (its `cause.response`), if it has one. */
export function gitlabStatus(err: unknown): number | undefined {
  const s = (err as { cause?: { response?: { status?: unknown } } })?.cause?.response?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * A merge request as the lifecycle reads it. `merged` and `closed` are both closed; `locked`
 * (a merge in progress) stays open, so the reaper never removes a preview mid-merge.
 */
export function changeRequestFromMergeRequest(mr: MergeRequestJson): PullRequestInfo {
  return {
    number: Number(mr.iid),
    state: mr.state === 'closed' || mr.state === 'merged' ? 'closed' : 'open',
    merged: mr.state === 'merged' || (mr.merged_at !== null && mr.merged_at !== undefined),
    headSha: String(mr.sha ?? ''),
    headRef: String(mr.source_branch ?? ''),
    baseRef: String(mr.target_branch ?? ''),
    author: String(mr.author?.username ?? ''),
    labels: (mr.labels ?? []).map((l) => (typeof l === 'string' ? l : String(l?.name ?? ''))),
    // A merge request from another project (a fork) is not ours to build with our credentials.
    isFork:
      mr.source_project_id !== undefined &&
      mr.target_project_id !== undefined &&
      mr.source_project_id !== mr.target_project_id,
    updatedAt: typeof mr.updated_at === 'string' ? mr.updated_at : undefined,
  };
}

/** A gitbeaker failure as an Error that keeps the status (`status`) and says which call failed. */
function failure(what: string, err: unknown): Error {
  const status = gitlabStatus(err);
  const e = new ActionError(
    `GitLab ${what} failed${status ? ` (HTTP ${status})` : ''}: ${(err as Error)?.message ?? err}`,
    {
      cause: err,
    },
  );
  return Object.assign(e, { status });
}

export function gitlabForge(o: GitLabForgeOptions): Forge {
  const host = o.serverUrl.replace(/\/$/, '');
  const auth = o.token ? { token: o.token } : { jobToken: o.jobToken ?? '' };
  const api = new Gitlab({ host, ...auth, queryTimeout: o.requestTimeoutMs ?? 30_000 });
  const pid = o.projectId;
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    waitingOn(`GitLab at ${host}`, what, async () => {
      try {
        return await fn();
      } catch (err) {
        throw failure(what, err);
      }
    });
  const mrPath = (n: number) => `projects/${pid}/merge_requests/${n}`;
  return {
    kind: 'gitlab',
    repository: o.projectPath,
    async getChangeRequest(n) {
      try {
        const mr = await call(`GET ${mrPath(n)}`, () => api.MergeRequests.show(pid, n) as Promise<unknown>);
        return changeRequestFromMergeRequest(mr as MergeRequestJson);
      } catch (err) {
        if ((err as { status?: number }).status === 404) return undefined;
        throw err;
      }
    },
    async listOpenChangeRequests() {
      const all: PullRequestInfo[] = [];
      for (let page = 1; ; page++) {
        const what = `GET projects/${pid}/merge_requests?state=opened (page ${page})`;
        const res = (await call(what, () =>
          api.MergeRequests.all({
            projectId: pid,
            state: 'opened',
            orderBy: 'created_at',
            sort: 'asc',
            perPage: PER_PAGE,
            page,
            showExpanded: true,
          } as never),
        )) as unknown as Expanded<MergeRequestJson[]>;
        if (!Array.isArray(res?.data)) throw new ActionError(`GitLab ${what} returned no list`);
        all.push(...res.data.map(changeRequestFromMergeRequest));
        // GitLab sends x-next-page while more pages follow; a short page is the last one.
        if (res.data.length < PER_PAGE || !res.paginationInfo?.next) break;
      }
      return all;
    },
    async listNotes(n) {
      const all: ForgeNote[] = [];
      for (let page = 1; ; page++) {
        const res = (await call(`GET ${mrPath(n)}/notes (page ${page})`, () =>
          api.MergeRequestNotes.all(pid, n, {
            perPage: PER_PAGE,
            page,
            sort: 'asc',
            orderBy: 'created_at',
            showExpanded: true,
          } as never),
        )) as unknown as Expanded<NoteJson[]>;
        if (!Array.isArray(res?.data)) throw new ActionError(`GitLab GET ${mrPath(n)}/notes returned no list`);
        for (const note of res.data) {
          if (note.system) continue;
          all.push({
            id: note.id,
            body: note.body ?? '',
            createdAt: note.created_at,
            author: note.author?.username,
            url: `${host}/${o.projectPath}/-/merge_requests/${n}#note_${note.id}`,
          });
        }
        if (res.data.length < PER_PAGE || !res.paginationInfo?.next) break;
      }
      return all;
    },
    async createNote(n, body) {
      const note = (await call(`POST ${mrPath(n)}/notes`, () =>
        api.MergeRequestNotes.create(pid, n, body),
      )) as unknown as NoteJson;
      return {
        id: note.id,
        body,
        createdAt: note.created_at,
        author: note.author?.username,
        url: `${host}/${o.projectPath}/-/merge_requests/${n}#note_${note.id}`,
      };
    },
    async updateNote(n, id, body) {
      await call(`PUT ${mrPath(n)}/notes/${id}`, () => api.MergeRequestNotes.edit(pid, n, id, { body }));
    },
    async deleteNote(n, id) {
      try {
        await call(`DELETE ${mrPath(n)}/notes/${id}`, () => api.MergeRequestNotes.remove(pid, n, id));
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
      }
    },
    async addLabels(n, labels) {
      await call(`PUT ${mrPath(n)} add_labels`, () => api.MergeRequests.edit(pid, n, { addLabels: labels.join(',') }));
    },
    async close(n) {
      await call(`PUT ${mrPath(n)} state_event=close`, () => api.MergeRequests.edit(pid, n, { stateEvent: 'close' }));
    },
    changeRequestUrl: (n) => `${host}/${o.projectPath}/-/merge_requests/${n}`,
  };
}

/** The username the token writes notes as (`GET /user`); a job token cannot ask, so it must be given. */
export async function gitlabCurrentUser(o: GitLabForgeOptions): Promise<string> {
  const host = o.serverUrl.replace(/\/$/, '');
  const api = new Gitlab({ host, token: o.token ?? '', queryTimeout: o.requestTimeoutMs ?? 30_000 });
  try {
    const me = (await waitingOn(`GitLab at ${host}`, 'GET /user', () => api.Users.showCurrentUser())) as {
      username?: string;
    };
    if (!me?.username) throw new Error('no username in the answer');
    return me.username;
  } catch (err) {
    throw failure('GET /user', err);
  }
}
