/**
 * The all-in-one action: routes the event to a lifecycle and runs the seven actions' own bundles
 * as steps (core's runBundledStep), exactly as a workflow wiring them by hand would. Inputs are
 * the steps' inputs (generated into action.yml); each step gets the ones it declares, plus the
 * ones this orchestrator computes from earlier steps' outputs.
 */
import {
  ActionError,
  forkHeadAllowed,
  input,
  loadContext,
  log,
  planService,
  requirePrNumber,
  setOutputs,
} from '@preview-fleet/core';
import { deploy } from './deploy.js';
import { wake } from './wake.js';
import { approveManualDeploy } from './manual-deploy.js';
import { MODES, route } from './route.js';
import { runStep, stepCall } from './steps.js';

async function single(lifecycle: 'teardown' | 'reap'): Promise<void> {
  const step = lifecycle === 'teardown' ? 'teardown' : 'reap-orphans';
  // One step checks its own inputs before it acts: a separate check would only cost a process start.
  const r = await runStep(stepCall(step));
  setOutputs({
    lifecycle,
    report: r.outputs.report ?? r.outputs.plan ?? '',
    'comment-url': r.outputs['comment-url'] ?? '',
  });
  if (!r.ok)
    throw new ActionError(`${step} failed (exit ${r.exitCode})`, {
      hint: 'Its report above says which resource failed and why.',
    });
}

export function prepare() {
  const mode = input.enum('mode', MODES);
  const label = input.string('label', { required: true });
  // Each step normalises its service the same way; doing it here keeps the comment's rows and outputs keyed alike.
  const services = [...new Set(input.list('services', { required: true }).map((s) => planService('services', s)))];
  const ctx = loadContext(input.optional('pr-number') ?? '');
  return { mode, label, services, ctx, route: route(ctx, mode, label, forkHeadAllowed()) };
}

export async function main(): Promise<void> {
  const { services, ctx, route: r } = prepare();
  log.info(`lifecycle: ${r.lifecycle} (${r.reason})`);
  if (r.lifecycle === 'refuse') {
    setOutputs({ lifecycle: 'refused' });
    throw new ActionError(r.reason, { hint: 'Nothing was built, deployed, created or commented.' });
  }
  if (r.lifecycle === 'skip') {
    setOutputs({ lifecycle: 'skipped' });
    return;
  }
  if (r.lifecycle === 'deploy') {
    // No PR in the event (workflow_dispatch): GitHub says whether it may be deployed, and at which head.
    const note =
      ctx.pr === undefined
        ? await approveManualDeploy(ctx, requirePrNumber(ctx)).catch((err: unknown) => {
            setOutputs({ lifecycle: 'refused' });
            throw err;
          })
        : '';
    return deploy(services, note);
  }
  if (r.lifecycle === 'wake') return wake(input.string('label', { required: true }));
  return single(r.lifecycle);
}
