import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { parseContext } from '@preview-fleet/core';
import { route, type Lifecycle } from '../../src/route.js';
import { exampleEvent, pullRequestEvent } from '@preview-fleet/testkit/events';

const env = (eventName: string) => ({
  GITHUB_EVENT_NAME: eventName,
  GITHUB_REPOSITORY: 'octo-org/web',
  GITHUB_RUN_ID: '1',
  GITHUB_RUN_ATTEMPT: '1',
});

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
    [
      'edited (payload derived from opened: the examples have no edited one)',
      'edited',
      { labels: ['preview'] },
      'skip',
    ],
  ];
  for (const [name, action, opts, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const payload = pullRequestEvent(action === 'edited' ? 'opened' : action, {
        number: 12,
        labels: opts.labels,
        label: opts.label,
        merged: opts.merged,
      });
      payload.action = action;
      const r = route(parseContext(env('pull_request'), payload), 'auto', 'preview');
      expect(r.lifecycle).toBe(expected);
      expect(r.reason.length).toBeGreaterThan(5);
    });
  }

  it('schedule → reap; push → skip with the events that count', () => {
    expect(route(parseContext(env('schedule'), {}), 'auto', 'preview').lifecycle).toBe('reap');
    const push = route(parseContext(env('push'), exampleEvent('push')), 'auto', 'preview');
    expect(push).toEqual({ lifecycle: 'skip', reason: expect.stringContaining('workflow_dispatch or schedule') });
  });

  it('workflow_dispatch needs an explicit mode: auto is refused (never a guessed teardown); deploy and teardown are what they say (issue 16 part 4)', () => {
    const ctx = parseContext(env('workflow_dispatch'), exampleEvent('workflow_dispatch'), '12');
    const auto = route(ctx, 'auto', 'preview');
    expect(auto.lifecycle).toBe('refuse');
    expect(auto.reason).toContain('Input "mode" is "auto", but a workflow_dispatch run carries no pull request event');
    expect(auto.reason).toContain('set mode to deploy');
    expect(route(ctx, 'deploy', 'preview').lifecycle).toBe('deploy');
    expect(route(ctx, 'teardown', 'preview').lifecycle).toBe('teardown');
  });

  it('an explicit mode wins over the event', () => {
    const payload = pullRequestEvent('closed', { number: 3, labels: [] });
    expect(route(parseContext(env('pull_request'), payload), 'deploy', 'preview').lifecycle).toBe('deploy');
  });

  describe('fork heads are never built or deployed (issue 14 item 14)', () => {
    const fork = (action: string, o: { labels?: string[]; label?: string } = { labels: ['preview'] }) =>
      pullRequestEvent(action, { number: 21, fork: true, labels: o.labels, label: o.label });
    const deployActions: Array<[string, { labels?: string[]; label?: string }]> = [
      ['opened', { labels: ['preview'] }],
      ['synchronize', { labels: ['preview'] }],
      ['reopened', { labels: ['preview'] }],
      ['labeled', { labels: ['preview'], label: 'preview' }],
    ];

    it.each(deployActions)(
      "pull_request_target %s from a fork → refuse, linking GitHub's hardening guidance, even with the opt-in or mode: deploy",
      (action, o) => {
        for (const [mode, allow] of [
          ['auto', false],
          ['auto', true],
          ['deploy', true],
        ] as const) {
          const r = route(parseContext(env('pull_request_target'), fork(action, o)), mode, 'preview', allow);
          expect(r.lifecycle).toBe('refuse');
          expect(r.reason).toContain('pull_request_target');
          expect(r.reason).toContain(
            'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
          );
        }
      },
    );

    it.each(deployActions)(
      'pull_request %s from a fork → refuse without the internal opt-in, deploy with it',
      (action, o) => {
        const ctx = parseContext(env('pull_request'), fork(action, o));
        expect(route(ctx, 'auto', 'preview')).toEqual({
          lifecycle: 'refuse',
          reason: expect.stringContaining('comes from a fork'),
        });
        expect(route(ctx, 'auto', 'preview', true).lifecycle).toBe('deploy');
      },
    );

    it('a fork PR is still torn down (no fork code runs) and same-repository pull_request_target still deploys', () => {
      expect(route(parseContext(env('pull_request_target'), fork('closed')), 'auto', 'preview').lifecycle).toBe(
        'teardown',
      );
      expect(
        route(
          parseContext(env('pull_request_target'), fork('unlabeled', { labels: [], label: 'preview' })),
          'auto',
          'preview',
        ).lifecycle,
      ).toBe('teardown');
      expect(
        route(parseContext(env('pull_request_target'), fork('opened', { labels: [] })), 'auto', 'preview').lifecycle,
      ).toBe('skip');
      const own = pullRequestEvent('opened', { number: 22, labels: ['preview'] });
      expect(route(parseContext(env('pull_request_target'), own), 'auto', 'preview').lifecycle).toBe('deploy');
    });
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

describe('all-in-one routing: /preview wake comments (real issue_comment payloads)', () => {
  const comment = (body: string, onPr = true, action = 'created') => {
    const payload = exampleEvent('issue_comment', 'created');
    payload.action = action;
    payload.comment.body = body;
    payload.comment.user.login = 'reviewer';
    if (onPr) payload.issue.pull_request = { url: 'https://api.github.com/repos/octo-org/web/pulls/12' };
    else delete payload.issue.pull_request;
    return parseContext(env('issue_comment'), payload);
  };
  it('a new "/preview wake" on a PR wakes it, naming who asked', () => {
    const ctx = comment('/preview wake');
    expect(Number.isSafeInteger(ctx.prNumber)).toBe(true);
    expect(ctx.comment).toEqual({ body: '/preview wake', author: 'reviewer' });
    expect(route(ctx, 'auto', 'preview')).toEqual({ lifecycle: 'wake', reason: '/preview wake by @reviewer' });
  });
  it('any other comment, an edit, or a comment on an issue changes nothing', () => {
    for (const ctx of [
      comment('looks good'),
      comment('/preview wake', true, 'edited'),
      comment('/preview wake', false),
    ])
      expect(route(ctx, 'auto', 'preview').lifecycle).toBe('skip');
  });
});
