/**
 * Which lifecycle the all-in-one action runs for an event. Pure, so every event × label case is
 * a table test (test/root-action/route.test.ts).
 */
import type { ActionContext } from '@preview-fleet/core';

export type Lifecycle = 'deploy' | 'teardown' | 'reap' | 'skip';
export const MODES = ['auto', 'deploy', 'teardown', 'reap'] as const;
export type Mode = (typeof MODES)[number];

export interface Route {
  lifecycle: Lifecycle;
  /** One sentence for the log: why this lifecycle. */
  reason: string;
}

const DEPLOY_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

export function route(ctx: Pick<ActionContext, 'eventName' | 'action' | 'pr' | 'label'>, mode: Mode, label: string): Route {
  if (mode !== 'auto') return { lifecycle: mode, reason: `mode: ${mode}` };
  const { eventName, action } = ctx;
  if (eventName === 'schedule') return { lifecycle: 'reap', reason: 'a scheduled run reaps orphans and expired previews' };
  if (eventName === 'workflow_dispatch') return { lifecycle: 'teardown', reason: 'a manual run tears down the PR named by pr-number' };
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') {
    return { lifecycle: 'skip', reason: `event ${eventName || '(none)'} starts no lifecycle (pull_request, workflow_dispatch or schedule do)` };
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
      : { lifecycle: 'skip', reason: `PR ${action} without the "${label}" label: no preview (add the label to get one)` };
  }
  return { lifecycle: 'skip', reason: `pull_request ${action ?? ''} changes nothing about a preview` };
}
