/**
 * Which lifecycle the all-in-one action runs for an event. Pure, so every event × label case is
 * a table test (test/root-action/route.test.ts).
 */
import { PWN_REQUEST_GUIDANCE, type ActionContext } from '@preview-fleet/core';
import { previewCommand } from '@preview-fleet/core/github';

/** `refuse`: the event asks for a deploy this action must not do (fork code); the job fails with the reason. */
export type Lifecycle = 'deploy' | 'teardown' | 'reap' | 'wake' | 'skip' | 'refuse';
export const MODES = ['auto', 'deploy', 'teardown', 'reap'] as const;
export type Mode = (typeof MODES)[number];

export interface Route {
  lifecycle: Lifecycle;
  /** One sentence for the log: why this lifecycle. */
  reason: string;
}

const DEPLOY_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

type RouteContext = Pick<ActionContext, 'eventName' | 'action' | 'pr' | 'label' | 'comment'>;

/**
 * The lifecycle for an event. A deploy of a fork's head is refused whatever the mode: under
 * `pull_request_target` always (the job holds secrets and a write token while the code is the
 * fork's), under `pull_request` unless the internal fork opt-in is set (`allowForkHead`).
 */
export function route(ctx: RouteContext, mode: Mode, label: string, allowForkHead = false): Route {
  const r = routeEvent(ctx, mode, label);
  if (r.lifecycle !== 'deploy' || !ctx.pr?.isFork) return r;
  if (ctx.eventName === 'pull_request_target') {
    return {
      lifecycle: 'refuse',
      reason: `Refusing to build or deploy PR #${ctx.pr.number}: under pull_request_target its head is a fork's code, and this job holds the base repository's secrets and write token. See GitHub's hardening guidance: ${PWN_REQUEST_GUIDANCE}`,
    };
  }
  if (allowForkHead) return r;
  return {
    lifecycle: 'refuse',
    reason: `Refusing to deploy PR #${ctx.pr.number}: its head comes from a fork, and fork code is never deployed with this repository's credentials (${r.reason}). See ${PWN_REQUEST_GUIDANCE}`,
  };
}

function routeEvent(ctx: RouteContext, mode: Mode, label: string): Route {
  if (mode !== 'auto') return { lifecycle: mode, reason: `mode: ${mode}` };
  const { eventName, action } = ctx;
  if (eventName === 'schedule')
    return { lifecycle: 'reap', reason: 'a scheduled run reaps orphans and expired previews' };
  // A manual run has no event to read the lifecycle from, and guessing one could tear a preview down.
  if (eventName === 'workflow_dispatch') {
    return {
      lifecycle: 'refuse',
      reason:
        'Input "mode" is "auto", but a workflow_dispatch run carries no pull request event to choose a lifecycle from: set mode to deploy (with pr-number, and approve-sha for a fork) or teardown (with pr-number)',
    };
  }
  if (eventName === 'issue_comment') {
    // Waking builds and runs nothing new (it scales back what is deployed), so a fork's PR may be woken too;
    // who wrote the comment is checked against GitHub before anything is touched.
    return ctx.action === 'created' && ctx.comment && previewCommand(ctx.comment.body) === 'wake'
      ? { lifecycle: 'wake', reason: `/preview wake by @${ctx.comment.author}` }
      : { lifecycle: 'skip', reason: 'a comment that is not a new "/preview wake" on a pull request changes nothing' };
  }
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') {
    return {
      lifecycle: 'skip',
      reason: `event ${eventName || '(none)'} starts no lifecycle (pull_request, workflow_dispatch or schedule do)`,
    };
  }
  const labelled = ctx.pr?.labels.includes(label) ?? false;
  if (action === 'closed') return { lifecycle: 'teardown', reason: `PR ${ctx.pr?.merged ? 'merged' : 'closed'}` };
  if (action === 'unlabeled') {
    return ctx.label === label
      ? { lifecycle: 'teardown', reason: `label "${label}" removed` }
      : { lifecycle: 'skip', reason: `label "${ctx.label ?? ''}" removed; only "${label}" matters` };
  }
  if (action === 'labeled') {
    return ctx.label === label
      ? { lifecycle: 'deploy', reason: `label "${label}" added` }
      : { lifecycle: 'skip', reason: `label "${ctx.label ?? ''}" added; only "${label}" starts a preview` };
  }
  if (action !== undefined && DEPLOY_ACTIONS.has(action)) {
    return labelled
      ? { lifecycle: 'deploy', reason: `PR ${action} and labelled "${label}"` }
      : {
          lifecycle: 'skip',
          reason: `PR ${action} without the "${label}" label: no preview (add the label to get one)`,
        };
  }
  return { lifecycle: 'skip', reason: `pull_request ${action ?? ''} changes nothing about a preview` };
}
