import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { parseContext } from '../../packages/core/src/context.js';
import { route, type Lifecycle } from '../../src/route.js';
import { exampleEvent, pullRequestEvent } from '../harness/events.js';

const env = (eventName: string) => ({ GITHUB_EVENT_NAME: eventName, GITHUB_REPOSITORY: 'octo-org/web', GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '1' });

describe('all-in-one routing (real webhook payloads, opt-in label "preview")', () => {
  const cases: Array<[string, string, { labels?: string[]; label?: string; merged?: boolean }, Lifecycle]> = [
    ['opened with the label', 'opened', { labels: ['preview'] }, 'deploy'],
    ['opened without the label', 'opened', { labels: [] }, 'skip'],
    ['synchronize (a push) while labelled', 'synchronize', { labels: ['preview', 'bug'] }, 'deploy'],
    ['reopened while labelled', 'reopened', { labels: ['preview'] }, 'deploy'],
    ['labeled with our label', 'labeled', { labels: ['preview'], label: 'preview' }, 'deploy'],
    ['labeled with another label while opted in', 'labeled', { labels: ['preview', 'bug'], label: 'bug' }, 'skip'],
    ['unlabeled: our label removed', 'unlabeled', { labels: [], label: 'preview' }, 'teardown'],
    ['unlabeled: another label removed', 'unlabeled', { labels: ['preview'], label: 'bug' }, 'skip'],
    ['closed without merge', 'closed', { labels: ['preview'] }, 'teardown'],
    ['closed by merge', 'closed', { labels: ['preview'], merged: true }, 'teardown'],
    ['closed without the label (never had a preview: teardown is a no-op)', 'closed', { labels: [] }, 'teardown'],
    ['edited (payload derived from opened: the examples have no edited one)', 'edited', { labels: ['preview'] }, 'skip'],
  ];
  for (const [name, action, opts, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const payload = pullRequestEvent(action === 'edited' ? 'opened' : action, { number: 12, labels: opts.labels, label: opts.label, merged: opts.merged });
      payload.action = action;
      const r = route(parseContext(env('pull_request'), payload), 'auto', 'preview');
      expect(r.lifecycle).toBe(expected);
      expect(r.reason.length).toBeGreaterThan(5);
    });
  }

  it('schedule → reap; workflow_dispatch → teardown; push → skip with the events that count', () => {
    expect(route(parseContext(env('schedule'), {}), 'auto', 'preview').lifecycle).toBe('reap');
    expect(route(parseContext(env('workflow_dispatch'), exampleEvent('workflow_dispatch')), 'auto', 'preview').lifecycle).toBe('teardown');
    const push = route(parseContext(env('push'), exampleEvent('push')), 'auto', 'preview');
    expect(push).toEqual({ lifecycle: 'skip', reason: expect.stringContaining('workflow_dispatch or schedule') });
  });

  it('an explicit mode wins over the event', () => {
    const payload = pullRequestEvent('closed', { number: 3, labels: [] });
    expect(route(parseContext(env('pull_request'), payload), 'deploy', 'preview').lifecycle).toBe('deploy');
  });

  it('a custom opt-in label is honoured', () => {
    const payload = pullRequestEvent('labeled', { number: 3, labels: ['env:preview'], label: 'env:preview' });
    expect(route(parseContext(env('pull_request'), payload), 'auto', 'env:preview').lifecycle).toBe('deploy');
    expect(route(parseContext(env('pull_request'), payload), 'auto', 'preview').lifecycle).toBe('skip');
  });
});

describe('root action.yml is generated from the steps', () => {
  it('is fresh (npm run gen-root)', () => {
    const out = execFileSync(process.execPath, ['scripts/gen-root-action.mjs', '--check'], { encoding: 'utf8' });
    expect(out).toContain('fresh');
  });
});
