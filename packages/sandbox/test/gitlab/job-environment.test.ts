import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { FakeClock } from '@preview-fleet/core/clock';
import { parseAutoStopIn, startGitLab, type GitLabStandIn } from '../../src/gitlab/index.js';

const clock = new FakeClock();
let gl: GitLabStandIn;

beforeAll(async () => {
  gl = await startGitLab({ clock });
});
afterAll(async () => gl.stop());

describe('GitLab stand-in: what a finished job with environment: does', () => {
  it('reads auto_stop_in durations as GitLab does, and refuses what it cannot read', () => {
    expect(parseAutoStopIn('72 hours')).toBe(72 * 3600);
    expect(parseAutoStopIn('3 days')).toBe(3 * 86_400);
    expect(parseAutoStopIn('1 week')).toBe(604_800);
    expect(parseAutoStopIn('1 day 12 hours')).toBe(36 * 3600);
    expect(parseAutoStopIn('1 day and 30 mins')).toBe(86_400 + 1800);
    expect(parseAutoStopIn('never')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseAutoStopIn('soon')).toThrow(/not a duration/);
    expect(() => parseAutoStopIn('3 fortnights')).toThrow(/unknown unit/);
  });

  it('start creates (then revives) the environment with url and auto_stop_at; stop stops it; the API sees it', async () => {
    const p = gl.createProject('acme/envs').id as number;
    const { token } = gl.createProjectAccessToken(p);
    const started = gl.applyJobEnvironment(p, {
      name: 'review/mr-1',
      url: 'https://mr-1.example',
      autoStopIn: '3 days',
    });
    expect(started).toMatchObject({ state: 'available', external_url: 'https://mr-1.example', tier: 'development' });
    expect(Date.parse(started!.auto_stop_at as string)).toBe(clock.now() + 3 * 86_400_000);
    const api = new Gitlab({ host: gl.url, token });
    expect((await api.Environments.all(p, { name: 'review/mr-1' })).map((e) => e.id)).toEqual([started!.id]);
    expect(gl.applyJobEnvironment(p, { name: 'review/mr-1', action: 'stop' })).toMatchObject({
      state: 'stopped',
      auto_stop_at: null,
    });
    expect(gl.applyJobEnvironment(p, { name: 'review/mr-1', url: 'https://mr-1b.example' })).toMatchObject({
      id: started!.id,
      state: 'available',
      external_url: 'https://mr-1b.example',
    });
    expect(gl.applyJobEnvironment(p, { name: 'review/none', action: 'stop' })).toBeUndefined();
    gl.assertContract();
  });
});
