import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { FakeClock } from '@preview-fleet/core/clock';
import { startGitLab, type GitLabStandIn } from '../../src/gitlab/index.js';

const clock = new FakeClock();
let gl: GitLabStandIn;
let projectId: number;
let botToken: string;
let botId: number;

const client = (token = botToken): InstanceType<typeof Gitlab> => new Gitlab({ host: gl.url, token });
const jobClient = (jobToken: string): InstanceType<typeof Gitlab> => new Gitlab({ host: gl.url, jobToken });

beforeAll(async () => {
  gl = await startGitLab({ clock });
  projectId = gl.createProject('acme/web').id as number;
  ({
    token: botToken,
    user: { id: botId },
  } = gl.createProjectAccessToken(projectId));
});
afterEach(() => {
  gl.clearFaults();
  gl.assertContract();
});
afterAll(async () => gl.stop());

describe('GitLab stand-in: MR notes', () => {
  it('creates, lists (sorted, paginated), edits and deletes notes; a push adds a system note', async () => {
    const { iid } = gl.openMergeRequest(projectId);
    const created = await client().MergeRequestNotes.create(projectId, iid as number, '<!-- marker --> hi');
    expect(created).toMatchObject({ body: '<!-- marker --> hi', system: false, noteable_type: 'MergeRequest' });
    expect(created.author).toMatchObject({ id: botId });
    expect(created.author).not.toHaveProperty('bot');
    clock.advance(1000);
    gl.push(projectId, iid as number);
    clock.advance(1000);
    gl.addNote(projectId, iid as number, '<!-- marker --> forged', { author: 'mallory' });
    const desc = await client().MergeRequestNotes.all(projectId, iid as number);
    expect(desc.map((n) => [n.system, n.author.username])).toEqual([
      [false, 'mallory'],
      [true, 'developer'],
      [false, expect.stringMatching(/^project_\d+_bot_/)],
    ]);
    const asc = await client().MergeRequestNotes.all(projectId, iid as number, { sort: 'asc', orderBy: 'updated_at' });
    expect(asc[0]?.id).toBe(created.id);
    const page = await client().MergeRequestNotes.all(projectId, iid as number, {
      perPage: 1,
      page: 3,
      showExpanded: true,
    });
    expect(page.paginationInfo).toMatchObject({ total: 3, current: 3, next: null, previous: 2 });

    const edited = await client().MergeRequestNotes.edit(projectId, iid as number, created.id, { body: 'updated' });
    expect(edited.body).toBe('updated');
    await client().MergeRequestNotes.remove(projectId, iid as number, created.id);
    expect(gl.notes(projectId, iid as number).map((n) => n.author.username)).toEqual(['developer', 'mallory']);
    await expect(client().MergeRequestNotes.remove(projectId, iid as number, created.id)).rejects.toThrow(
      '404 Note Not Found',
    );
  });

  it("refuses to edit someone else's note (403) but lets a Maintainer delete it; a note needs a body", async () => {
    const { iid } = gl.openMergeRequest(projectId);
    const foreign = gl.addNote(projectId, iid as number, 'not yours');
    await expect(client().MergeRequestNotes.edit(projectId, iid as number, foreign.id, { body: 'x' })).rejects.toThrow(
      '403 Forbidden',
    );
    const res = await fetch(`${gl.url}/api/v4/projects/${projectId}/merge_requests/${iid}/notes`, {
      method: 'POST',
      headers: { 'private-token': botToken, 'content-type': 'application/json' },
      body: '{}',
    });
    expect([res.status, await res.json()]).toEqual([400, { error: 'body is missing' }]);
    await client().MergeRequestNotes.remove(projectId, iid as number, foreign.id);
    expect(gl.notes(projectId, iid as number)).toEqual([]);
  });
});

describe('GitLab stand-in: environments', () => {
  it('creates (name unique), finds by name and search, updates external_url, stops, then deletes', async () => {
    const env = await client().Environments.create(projectId, 'review/feat-x', { externalUrl: 'https://a.example' });
    expect(env).toMatchObject({ name: 'review/feat-x', state: 'available', external_url: 'https://a.example' });
    expect(env.slug).toMatch(/^review-feat-x-[0-9a-f]{6}$/);
    await expect(client().Environments.create(projectId, 'review/feat-x')).rejects.toThrow('has already been taken');
    expect((await client().Environments.all(projectId, { name: 'review/feat-x' })).map((e) => e.id)).toEqual([env.id]);
    expect(await client().Environments.all(projectId, { search: 'feat' })).toHaveLength(1);
    await expect(client().Environments.all(projectId, { search: 'fe' })).rejects.toThrow(/3 characters/);
    const edited = await client().Environments.edit(projectId, env.id, { externalUrl: 'https://b.example' });
    expect(edited.external_url).toBe('https://b.example');
    await expect(client().Environments.remove(projectId, env.id)).rejects.toThrow('403 Forbidden');
    expect((await client().Environments.stop(projectId, env.id)).state).toBe('stopped');
    await client().Environments.remove(projectId, env.id);
    expect(gl.environments(projectId)).toEqual([]);
    await expect(client().Environments.show(projectId, env.id)).rejects.toThrow('404 Not found');
  });
});

describe('GitLab stand-in: tokens', () => {
  it('answers 401 for an unknown token and invalid_token for a revoked or expired one', async () => {
    await expect(client('glpat-nope').MergeRequests.all({ projectId })).rejects.toThrow('401 Unauthorized');
    const pat = gl.createPersonalAccessToken('developer', { expiresAt: clock.now() + 1000 });
    await expect(client(pat).Projects.show(projectId)).resolves.toMatchObject({ id: projectId });
    clock.advance(1000);
    await expect(client(pat).Projects.show(projectId)).rejects.toThrow('invalid_token');
    const other = gl.createPersonalAccessToken('developer');
    gl.revokeToken(other);
    await expect(client(other).Projects.show(projectId)).rejects.toThrow('invalid_token');
    const outsider = gl.createPersonalAccessToken('outsider');
    await expect(client(outsider).Projects.show(projectId)).rejects.toThrow('404 Project Not Found');
  });

  it('lets a job token read MRs and notes and manage environments, and nothing else GitLab does not list', async () => {
    const { iid } = gl.openMergeRequest(projectId);
    const job = gl.createJobToken(projectId, { user: 'developer' });
    const api = jobClient(job);
    expect((await api.MergeRequests.show(projectId, iid as number)).iid).toBe(iid);
    expect(await api.MergeRequestNotes.all(projectId, iid as number)).toEqual([]);
    const env = await api.Environments.create(projectId, `review/mr-${iid}`);
    await api.Environments.stop(projectId, env.id);
    await api.Environments.remove(projectId, env.id);
    // Not in GitLab's job token table: the token is ignored, so GitLab sees an anonymous caller.
    await expect(api.MergeRequestNotes.create(projectId, iid as number, 'hi')).rejects.toThrow('401 Unauthorized');
    await expect(api.MergeRequests.edit(projectId, iid as number, { addLabels: 'x' })).rejects.toThrow(
      '401 Unauthorized',
    );
    await expect(api.Projects.show(projectId)).rejects.toThrow('404 Project Not Found');
    await expect(api.Users.showCurrentUser()).rejects.toThrow('401 Unauthorized');
    expect(gl.requestLog().at(-1)).toMatchObject({ token: 'job', status: 401 });
    // Another project's job token is refused unless that project is on the allowlist.
    const other = gl.createProject('acme/other').id as number;
    const foreignJob = jobClient(gl.createJobToken(other));
    await expect(foreignJob.MergeRequests.show(projectId, iid as number)).rejects.toThrow('404 Project Not Found');
    gl.allowJobTokenFrom(projectId, other);
    await expect(foreignJob.MergeRequests.show(projectId, iid as number)).resolves.toMatchObject({ iid });
    gl.revokeToken(job);
    await expect(api.MergeRequests.show(projectId, iid as number)).rejects.toThrow('invalid_token');
  });

  it('lets a Reporter read but not manage environments (403)', async () => {
    gl.addMember(projectId, 'rita', 10 + 10);
    const rita = client(gl.createPersonalAccessToken('rita'));
    await expect(rita.Environments.all(projectId)).resolves.toBeInstanceOf(Array);
    await expect(rita.Environments.create(projectId, 'nope')).rejects.toThrow('403 Forbidden');
  });
});

describe('GitLab stand-in: faults and rate limits', () => {
  it('fails one page of a list, so a paginated read throws instead of returning a partial list', async () => {
    const p = gl.createProject('acme/faults').id as number;
    const { token } = gl.createProjectAccessToken(p);
    for (let i = 0; i < 5; i++) gl.openMergeRequest(p);
    gl.resetCounters();
    gl.injectFault({ method: 'GET', pathPattern: '/merge_requests', query: { page: '2' }, status: 500, times: 1 });
    await expect(client(token).MergeRequests.all({ projectId: p, perPage: 2 })).rejects.toThrow(
      '500 Internal Server Error',
    );
    expect(await client(token).MergeRequests.all({ projectId: p, perPage: 2 })).toHaveLength(5);
    expect(gl.counters()['MergeRequests.all']).toBe(5);
  });

  it('drops the reply to a note it did create, so the client cannot know the write landed', async () => {
    const { iid } = gl.openMergeRequest(projectId);
    gl.injectFault({ method: 'POST', pathPattern: /\/notes$/, dropReply: true, times: 1 });
    await expect(client().MergeRequestNotes.create(projectId, iid as number, 'lost reply')).rejects.toThrow();
    expect(gl.notes(projectId, iid as number).map((n) => n.body)).toEqual(['lost reply']);
    expect(gl.requestLog().at(-1)).toMatchObject({ operation: 'MergeRequestNotes.create', status: 201, dropped: true });
    await client().MergeRequestNotes.create(projectId, iid as number, 'second');
    expect(gl.notes(projectId, iid as number)).toHaveLength(2);
  });

  it('answers 429 the way Rack::Attack does (Retry-After, RateLimit-*), which gitbeaker retries', async () => {
    gl.injectFault({ pathPattern: '/environments', status: 429, times: 2, retryAfter: 30 });
    const raw = await fetch(`${gl.url}/api/v4/projects/${projectId}/environments`, {
      headers: { 'private-token': botToken },
    });
    expect(raw.status).toBe(429);
    expect(await raw.text()).toBe('Retry later\n');
    expect(raw.headers.get('retry-after')).toBe('30');
    expect(raw.headers.get('ratelimit-remaining')).toBe('0');
    expect(raw.headers.get('ratelimit-name')).toBe('throttle_authenticated_api');
    await expect(client().Environments.all(projectId)).resolves.toBeInstanceOf(Array);
    expect(
      gl
        .requestLog()
        .slice(-2)
        .map((r) => r.status),
    ).toEqual([429, 200]);
  });

  it('throttles a user past the per-minute limit until the window passes', async () => {
    const small = await startGitLab({ clock, rateLimit: 2 });
    try {
      const p = small.createProject('a/b').id as number;
      const pat = small.createPersonalAccessToken('developer');
      const get = (): Promise<Response> =>
        fetch(`${small.url}/api/v4/projects/${p}`, { headers: { 'private-token': pat } });
      expect([(await get()).status, (await get()).status, (await get()).status]).toEqual([200, 200, 429]);
      clock.advance(60_000);
      expect((await get()).status).toBe(200);
    } finally {
      await small.stop();
    }
  });
});
