/**
 * The GitLab adapter against the GitLab stand-in (stateful, held to GitLab's REST docs), through
 * the real @gitbeaker/rest: the one sticky note (marker AND author), newer-run-wins, foreign
 * marker notes left alone, MR state as the lifecycle reads it, and the reaper's fail-safe list.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitLab, type GitLabStandIn } from '@preview-fleet/sandbox/gitlab';
import { announceTeardownNote, readStatusNotes, upsertStatusNote } from '@preview-fleet/core/forge';
import { gitlabCurrentUser, gitlabForge } from '@preview-fleet/core/forge/gitlab';
import { COMMENT_MARKER, type ServiceSection } from '@preview-fleet/core/github';
import { bindReaperPorts, reapOrphans } from '@preview-fleet/core/lifecycle';

let gl: GitLabStandIn;
let token: string;
let bot: string;
let projectId: number;
const render = { serverUrl: 'https://gitlab.example', repository: 'acme/web' };

const section = (
  runId: number,
  state: ServiceSection['state'],
  extra: Partial<ServiceSection> = {},
): ServiceSection => ({
  service: 'web',
  state,
  runId,
  runAttempt: 1,
  updatedAt: new Date(1_700_000_000_000 + runId).toISOString(),
  ...extra,
});

beforeAll(async () => {
  gl = await startGitLab();
  projectId = gl.createProject('acme/web').id as number;
  ({
    token,
    user: { username: bot },
  } = gl.createProjectAccessToken(projectId));
});
afterAll(async () => gl.stop());
afterEach(() => {
  gl.clearFaults();
  gl.assertContract();
});

const forge = () =>
  gitlabForge({ serverUrl: gl.url, projectId, projectPath: 'acme/web', token, requestTimeoutMs: 5_000 });

describe('GitLab status note', () => {
  it('keeps one note per MR, found by marker and author, updated in place; a newer pipeline wins', async () => {
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'] });
    const f = forge();
    expect(await gitlabCurrentUser({ serverUrl: gl.url, projectId, projectPath: 'acme/web', token })).toBe(bot);
    const first = await upsertStatusNote(f, mr.iid, bot, section(10, 'building'), render);
    expect(first.action).toBe('created');
    const ready = await upsertStatusNote(
      f,
      mr.iid,
      bot,
      section(10, 'ready', { url: 'https://web-pr-1.example' }),
      render,
    );
    expect(ready).toMatchObject({ action: 'updated', noteId: first.noteId, applied: true });
    // An older pipeline's late update is kept out.
    const stale = await upsertStatusNote(f, mr.iid, bot, section(9, 'failed'), render);
    expect(stale.applied).toBe(false);
    const ours = gl.notes(projectId, mr.iid).filter((n) => !n.system);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain('https://web-pr-1.example');
    expect(ours[0]!.body.startsWith(COMMENT_MARKER)).toBe(true);
  });

  it('ignores a foreign note carrying our marker: never parsed, edited or counted as ours', async () => {
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'] });
    const forged = `${COMMENT_MARKER}\n<!-- preview-fleet:section {"service":"web","state":"ready","runId":999,"runAttempt":1,"updatedAt":"2030-01-01T00:00:00Z","url":"https://evil.example"} -->`;
    const foreign = gl.addNote(projectId, mr.iid, forged, { author: 'mallory' });
    const f = forge();
    const r = await upsertStatusNote(f, mr.iid, bot, section(11, 'ready', { url: 'https://web-pr-2.example' }), render);
    expect(r).toMatchObject({ action: 'created', applied: true });
    expect(r.foreign).toEqual([{ id: foreign.id, author: 'mallory' }]);
    expect(gl.notes(projectId, mr.iid).find((n) => n.id === foreign.id)!.body).toBe(forged);
    const read = await readStatusNotes(f, mr.iid, bot);
    expect(read.held.map((s) => s.url)).toEqual(['https://web-pr-2.example']);
    // Teardown edits only ours.
    expect(
      await announceTeardownNote(f, {
        number: mr.iid,
        author: bot,
        state: 'destroyed',
        services: [],
        runId: 12,
        runAttempt: 1,
        now: Date.now(),
        render,
      }),
    ).toBe('updated');
    expect(gl.notes(projectId, mr.iid).find((n) => n.id === foreign.id)!.body).toBe(forged);
    expect(gl.notes(projectId, mr.iid).find((n) => n.id === r.noteId)!.body).toContain('destroyed');
  });

  it('reads every page of notes (more than 100)', async () => {
    const mr = gl.openMergeRequest(projectId);
    for (let i = 0; i < 120; i++) gl.addNote(projectId, mr.iid, `chatter ${i}`, { author: 'developer' });
    const f = forge();
    await upsertStatusNote(f, mr.iid, bot, section(20, 'building'), render);
    await upsertStatusNote(f, mr.iid, bot, section(20, 'ready'), render);
    expect(gl.notes(projectId, mr.iid).filter((n) => n.body.startsWith(COMMENT_MARKER))).toHaveLength(1);
  });
});

describe('GitLab merge requests', () => {
  it('reads state, head, labels and fork-ness as the lifecycle needs them; 404 is "missing", other errors throw', async () => {
    const f = forge();
    const open = gl.openMergeRequest(projectId, { labels: ['preview'] });
    expect(await f.getChangeRequest(open.iid)).toMatchObject({
      number: open.iid,
      state: 'open',
      merged: false,
      headSha: open.sha,
      labels: ['preview'],
      isFork: false,
    });
    const merged = gl.openMergeRequest(projectId);
    gl.mergeMergeRequest(projectId, merged.iid);
    expect(await f.getChangeRequest(merged.iid)).toMatchObject({ state: 'closed', merged: true });
    expect(await f.getChangeRequest(9999)).toBeUndefined();
    gl.injectFault({ pathPattern: `/merge_requests/${open.iid}`, status: 500, times: 1 });
    await expect(f.getChangeRequest(open.iid)).rejects.toThrow(/HTTP 500/);
  });

  it('lists every open MR across pages; a failing later page fails the whole list', async () => {
    const p = gl.createProject('acme/many').id as number;
    const { token: t } = gl.createProjectAccessToken(p);
    for (let i = 0; i < 205; i++) gl.openMergeRequest(p);
    gl.closeMergeRequest(p, 3);
    const f = gitlabForge({ serverUrl: gl.url, projectId: p, projectPath: 'acme/many', token: t });
    const all = await f.listOpenChangeRequests();
    expect(all).toHaveLength(204);
    expect(all.some((m) => m.number === 3)).toBe(false);
    gl.injectFault({ pathPattern: '/merge_requests', query: { page: '3' }, status: 500, times: 1 });
    await expect(f.listOpenChangeRequests()).rejects.toThrow(/page 3/);
  });

  it("the reaper fails before any write when a page of the MR list fails (GitLab as GitHub's fail-safe)", async () => {
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'] });
    gl.injectFault({ pathPattern: '/merge_requests', query: { page: '1' }, status: 502 });
    const ports = bindReaperPorts({
      repository: 'acme/web',
      kube: { helm: 'helm-not-used', kubectl: 'kubectl-not-used', env: {} } as never,
      timeoutMs: 1_000,
      now: () => Date.now(),
      forge: forge(),
      keepLabel: 'keep',
      staleLabel: 'stale',
      closeAfterDays: 0,
    });
    ports.listNamespaces = async () => [
      {
        name: `preview-pr-${mr.iid}`,
        marks: {
          repository: 'acme/web',
          pr: mr.iid,
          createdAt: '2020-01-01T00:00:00Z',
          expiresAt: '2020-01-02T00:00:00Z',
        },
      },
    ];
    ports.listReleases = async () => new Map();
    const before = gl.notes(projectId, mr.iid).length;
    await expect(
      reapOrphans(ports, {
        repository: 'acme/web',
        now: Date.now(),
        label: 'preview',
        keepLabel: 'keep',
        ttlMs: 1,
        warnBeforeMs: 0,
        staleDays: 0,
        closeAfterDays: 0,
        staleLabel: 'stale',
        dryRun: false,
        maxDeletions: 10,
        concurrency: 1,
        kinds: new Set(['namespaces', 'releases']),
      }),
    ).rejects.toThrow();
    expect(gl.notes(projectId, mr.iid)).toHaveLength(before);
  });
});
