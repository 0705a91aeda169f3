import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { FakeClock } from '@preview-fleet/core/clock';
import { startGitLab, type GitLabStandIn } from '../../src/gitlab/index.js';

const clock = new FakeClock();
let gl: GitLabStandIn;
let projectId: number;
let botToken: string;
let botId: number;

/** The real client the adapter uses, pointed at the stand-in. */
const client = (token = botToken): InstanceType<typeof Gitlab> => new Gitlab({ host: gl.url, token });

beforeAll(async () => {
  gl = await startGitLab({ clock });
  projectId = gl.createProject('acme/web').id as number;
  const pat = gl.createProjectAccessToken(projectId, { name: 'preview-fleet' });
  botToken = pat.token;
  botId = pat.user.id;
});
afterEach(() => gl.assertContract());
afterAll(async () => gl.stop());

describe('GitLab stand-in: projects, merge requests and labels through @gitbeaker/rest', () => {
  it('serves a project by id and by URL-encoded path, and the token user as a project bot', async () => {
    const byId = await client().Projects.show(projectId);
    const byPath = await client().Projects.show('acme/web');
    expect(byPath).toMatchObject({ id: projectId, path_with_namespace: 'acme/web', default_branch: 'main' });
    expect(byId.web_url).toBe(`${gl.url}/acme/web`);
    expect(gl.requestLog().some((r) => r.path === '/api/v4/projects/acme%2Fweb')).toBe(true);
    const me = await client().Users.showCurrentUser();
    expect(me).toMatchObject({ id: botId, bot: true });
    expect(me.username).toMatch(new RegExp(`^project_${projectId}_bot_[0-9a-f]{32}$`));
    await expect(client().Projects.show('acme/nope')).rejects.toThrow('404 Project Not Found');
  });

  it('gets one MR with sha, state, labels, source branch, web_url and author', async () => {
    const opened = gl.openMergeRequest(projectId, { labels: ['preview'], author: 'alice', sourceBranch: 'feat/x' });
    const mr = await client().MergeRequests.show(projectId, opened.iid as number);
    expect(mr).toMatchObject({
      iid: opened.iid,
      project_id: projectId,
      state: 'opened',
      labels: ['preview'],
      source_branch: 'feat/x',
      target_branch: 'main',
      sha: opened.sha,
      web_url: `${gl.url}/acme/web/-/merge_requests/${opened.iid}`,
      author: { username: 'alice' },
    });
    const sha = gl.push(projectId, opened.iid as number);
    expect((await client().MergeRequests.show(projectId, opened.iid as number)).sha).toBe(sha);
    await expect(client().MergeRequests.show(projectId, 999)).rejects.toThrow('404 Merge Request Not Found');
  });

  it('lists MRs by state and labels, paginating with x-* headers and a Link that gitbeaker follows', async () => {
    const p = gl.createProject('acme/list').id as number;
    const { token } = gl.createProjectAccessToken(p);
    for (let i = 0; i < 7; i++) gl.openMergeRequest(p, { labels: i % 2 === 0 ? ['preview', 'x'] : ['x'] });
    gl.closeMergeRequest(p, 1);
    gl.mergeMergeRequest(p, 3);
    const api = client(token);
    const all = await api.MergeRequests.all({ projectId: p, state: 'opened', labels: 'preview', perPage: 2 });
    expect(all.map((m) => m.iid)).toEqual([7, 5]);
    // No `state` means every state (GitLab also takes state=all, which gitbeaker's types omit).
    const page = await api.MergeRequests.all({
      projectId: p,
      perPage: 3,
      page: 2,
      showExpanded: true,
      pagination: 'offset',
    });
    expect(page.data.map((m) => m.iid)).toEqual([4, 3, 2]);
    expect(page.paginationInfo).toEqual({ total: 7, next: 3, current: 2, previous: 1, perPage: 3, totalPages: 3 });
    const wholeList = await api.MergeRequests.all({ projectId: p, perPage: 2 });
    expect(wholeList).toHaveLength(7);
    expect(
      gl
        .requestLog()
        .filter((r) => r.operation === 'MergeRequests.all')
        .at(-1)?.path,
    ).toContain('page=4');
    expect((await api.MergeRequests.all({ projectId: p, state: 'merged' })).map((m) => m.iid)).toEqual([3]);
    await expect(api.MergeRequests.all({ projectId: p, state: 'open' as never })).rejects.toThrow(
      'state does not have a valid value',
    );
  });

  it('adds and removes labels with PUT add_labels / remove_labels, and needs at least one parameter', async () => {
    const { iid } = gl.openMergeRequest(projectId, { labels: ['a'] });
    const edited = await client().MergeRequests.edit(projectId, iid as number, {
      addLabels: 'preview,b',
      removeLabels: 'a',
    });
    expect(edited.labels).toEqual(['preview', 'b']);
    expect(gl.mergeRequest(projectId, iid as number)?.labels).toEqual(['preview', 'b']);
    await expect(client().MergeRequests.edit(projectId, iid as number, {})).rejects.toThrow(
      /at least one parameter must be provided/,
    );
  });

  it('reflects close, merge and reopen made through the helpers', async () => {
    const { iid } = gl.openMergeRequest(projectId);
    gl.closeMergeRequest(projectId, iid as number, { by: 'bob' });
    expect(await client().MergeRequests.show(projectId, iid as number)).toMatchObject({
      state: 'closed',
      closed_by: { username: 'bob' },
    });
    gl.reopenMergeRequest(projectId, iid as number);
    gl.mergeMergeRequest(projectId, iid as number);
    const merged = await client().MergeRequests.show(projectId, iid as number);
    expect(merged.state).toBe('merged');
    expect(merged.merge_commit_sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('records a parameter the docs do not list, and an endpoint it does not serve', async () => {
    await client().MergeRequests.show(projectId, 1, { bogusOption: true } as never);
    await expect(client().MergeRequests.allDiffs(projectId, 1)).rejects.toThrow('404 Not Found');
    const v = gl.contractViolations();
    expect(v).toEqual([
      expect.stringContaining('MergeRequests.show: parameter "bogus_option" is not documented'),
      expect.stringContaining('GET /api/v4/projects/1/merge_requests/1/diffs: not served'),
    ]);
    expect(() => gl.assertContract()).toThrow(/GitLab contract violations \(2\)/);
  });
});
