import { describe, expect, it } from 'vitest';
import {
  ActionError,
  ALLOW_FORK_HEAD_ENV,
  InputError,
  parseContext,
  refuseForkHead,
  requirePrNumber,
} from '../src/index.js';
import { exampleEvent, pullRequestEvent } from '@preview-fleet/testkit/events';

const env = {
  GITHUB_REPOSITORY: 'Codertocat/Hello-World',
  GITHUB_RUN_ID: '77',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SERVER_URL: 'https://github.com',
};

describe('PR context from real webhook payloads (@octokit/webhooks-examples)', () => {
  it.each(['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled', 'closed'])('pull_request.%s', (action) => {
    const ev = exampleEvent('pull_request', action);
    const ctx = parseContext({ ...env, GITHUB_EVENT_NAME: 'pull_request' }, ev);
    expect(ctx.action).toBe(action);
    expect(ctx.prNumber).toBe(ev.pull_request.number);
    expect(ctx.pr!.headSha).toBe(ev.pull_request.head.sha);
    expect(ctx.pr!.state).toBe(ev.pull_request.state);
    expect(ctx.pr!.isFork).toBe(false);
    expect(ctx.runUrl).toBe('https://github.com/Codertocat/Hello-World/actions/runs/77');
    expect(ctx.runAttempt).toBe(2);
    if (action.endsWith('labeled')) expect(ctx.label).toBe(ev.label.name);
  });

  it('pull_request_target carries the same PR', () => {
    const ctx = parseContext(
      { ...env, GITHUB_EVENT_NAME: 'pull_request_target' },
      exampleEvent('pull_request', 'opened'),
    );
    expect(ctx.pr?.number).toBe(2);
  });

  // The examples have no merged close: derived from the real `closed` example with merged=true.
  it('closed + merged (derived from the real closed example)', () => {
    const ctx = parseContext({ ...env, GITHUB_EVENT_NAME: 'pull_request' }, pullRequestEvent('merged', { number: 9 }));
    expect(ctx.pr).toMatchObject({ number: 9, state: 'closed', merged: true });
  });

  // Fork PRs: derived from the real `opened` example with head.repo set to another repository.
  it('detects forks (head repository differs from base)', () => {
    const ctx = parseContext(
      { ...env, GITHUB_EVENT_NAME: 'pull_request' },
      pullRequestEvent('opened', { number: 3, fork: true }),
    );
    expect(ctx.pr!.isFork).toBe(true);
  });

  it('refuseForkHead: a fork head is refused (pull_request and pull_request_target) unless the internal opt-in is set; own branches pass', () => {
    for (const event of ['pull_request', 'pull_request_target']) {
      const fork = parseContext(
        { ...env, GITHUB_EVENT_NAME: event },
        pullRequestEvent('synchronize', { number: 3, fork: true, headRef: 'patch-1' }),
      );
      expect(() => refuseForkHead(fork, 'deploy', {})).toThrow(ActionError);
      expect(() => refuseForkHead(fork, 'deploy', {})).toThrow(
        'Refusing to deploy for PR #3: its head (patch-1) comes from a fork',
      );
      expect(() => refuseForkHead(fork, 'deploy', { [ALLOW_FORK_HEAD_ENV]: 'true' })).not.toThrow();
      const own = parseContext({ ...env, GITHUB_EVENT_NAME: event }, pullRequestEvent('synchronize', { number: 4 }));
      expect(() => refuseForkHead(own, 'deploy', {})).not.toThrow();
    }
    // workflow_dispatch carries no PR payload: a maintainer chose the PR by number.
    expect(() =>
      refuseForkHead(
        parseContext({ ...env, GITHUB_EVENT_NAME: 'workflow_dispatch' }, { inputs: {} }, '9'),
        'deploy',
        {},
      ),
    ).not.toThrow();
  });

  it('workflow_dispatch takes pr-number from the input or the dispatch inputs', () => {
    const ev = exampleEvent('workflow_dispatch');
    const ctx = parseContext({ ...env, GITHUB_EVENT_NAME: 'workflow_dispatch' }, ev, '15');
    expect(ctx.prNumber).toBe(15);
    expect(ctx.pr).toBeUndefined();
    const viaInputs = parseContext(
      { ...env, GITHUB_EVENT_NAME: 'workflow_dispatch' },
      { ...ev, inputs: { 'pr-number': '8' } },
    );
    expect(viaInputs.prNumber).toBe(8);
  });

  // No schedule example is shipped: a schedule payload is `{ schedule: "<cron>" }` plus repository.
  it('schedule has no PR, and requirePrNumber says which input is missing', () => {
    const ctx = parseContext(
      { ...env, GITHUB_EVENT_NAME: 'schedule' },
      { schedule: '0 * * * *', repository: exampleEvent('workflow_dispatch').repository },
    );
    expect(ctx.prNumber).toBeUndefined();
    expect(() => requirePrNumber(ctx)).toThrow(InputError);
    expect(() => requirePrNumber(ctx)).toThrow('Input "pr-number" is required for the "schedule" event');
  });

  it('rejects a pr-number that contradicts the event', () => {
    expect(() =>
      parseContext({ ...env, GITHUB_EVENT_NAME: 'pull_request' }, exampleEvent('pull_request', 'opened'), '5'),
    ).toThrow('Input "pr-number" must match the event\'s pull request #2 or be empty, got "5"');
  });
});
