/**
 * reap-orphans: inventory what carries our marks, decide per PR, warn, close stale PRs, tear
 * down (bounded), report. Fails at the end when any removal, warning or listing failed.
 */
import {
  ActionError,
  InputError,
  loadContext,
  log,
  onGitLabCi,
  setOutputs,
  setStepTimeout,
  systemClock,
  writeSummary,
  type ActionContext,
} from '@preview-fleet/core';
import {
  bindReaperPorts,
  reapOrphans,
  removalClients,
  renderReapPlan,
  renderRemovalTable,
} from '@preview-fleet/core/lifecycle';
import { forgeFromEnvironment, gitlabNoteAuthor } from '@preview-fleet/core/forge';
import { formatDollars } from '@preview-fleet/core/kube';
import { parseInputs, readRawInputs, type Inputs } from './inputs.js';

/** Everything checked before any system is contacted (also the all-in-one's validate step). */
export function validate(): { inputs: Inputs; ctx: ActionContext } {
  const inputs = parseInputs(readRawInputs());
  if (!inputs.githubToken && !onGitLabCi())
    throw new InputError('github-token', '', 'is required: the reaper lists open pull requests to decide anything');
  return { inputs, ctx: loadContext() };
}

/** One helm uninstall or namespace wait takes at most this long (and never past the run's `timeout`). */
export const REAP_WAIT_MAX_MS = 5 * 60_000;

export async function main(): Promise<void> {
  const { inputs, ctx } = validate();
  // `timeout` bounds the whole run. Cut short, it leaves nothing the next run cannot finish: each
  // removal is idempotent and what remains of a PR still carries its marks, so it is planned again.
  setStepTimeout(inputs.timeoutMs);
  // Kinds switched off are never listed, so nothing of theirs reaches a teardown.
  // A GitLab job (the CLI): merge requests and notes through the GitLab adapter, nothing of GitHub's.
  const forge = forgeFromEnvironment(process.env, inputs.requestTimeoutMs);
  const ports = bindReaperPorts({
    ...removalClients({
      ctx,
      requestTimeoutMs: inputs.requestTimeoutMs,
      timeoutMs: Math.min(inputs.timeoutMs, REAP_WAIT_MAX_MS),
      vault: inputs.vault,
      awsRegion: inputs.awsRegion,
      github: forge
        ? undefined
        : {
            token: inputs.githubToken,
            commentAuthor: inputs.commentAuthor,
            services: [],
            deployments: inputs.kinds.has('deployments'),
          },
      logWarning: (m) => log.warning(m),
    }),
    forge,
    note: forge && {
      forge,
      author: gitlabNoteAuthor(),
      services: [],
      runId: ctx.runId,
      runAttempt: ctx.runAttempt,
      runUrl: ctx.runUrl,
      render: { serverUrl: ctx.serverUrl, repository: ctx.repository },
    },
    keepLabel: inputs.keepLabel,
    staleLabel: inputs.staleLabel,
    closeAfterDays: inputs.closeAfterDays,
    prices: inputs.prices,
  });

  const outcome = await reapOrphans(ports, {
    repository: ctx.repository,
    now: systemClock.now(),
    label: inputs.label,
    keepLabel: inputs.keepLabel,
    ttlMs: inputs.ttlMs,
    warnBeforeMs: inputs.warnBeforeMs,
    staleDays: inputs.staleDays,
    closeAfterDays: inputs.closeAfterDays,
    staleLabel: inputs.staleLabel,
    dryRun: inputs.dryRun,
    maxDeletions: inputs.maxDeletions,
    concurrency: inputs.concurrency,
    kinds: inputs.kinds,
    sleepAfterMs: inputs.sleepAfterMs,
    prices: inputs.prices,
  });

  const table = renderReapPlan(outcome.plan, { dryRun: inputs.dryRun });
  log.info(table);
  setOutputs({
    plan: JSON.stringify(outcome.plan),
    reaped: JSON.stringify(outcome.reaped),
    kept: JSON.stringify(outcome.kept),
    warned: JSON.stringify(outcome.warned),
    slept: JSON.stringify(outcome.slept),
    'cost-per-hour': outcome.costPerHour === undefined ? '' : outcome.costPerHour.toFixed(6),
    sleeping: JSON.stringify(outcome.sleeping),
    report: JSON.stringify(outcome.reports),
  });
  const head = [
    inputs.dryRun
      ? `**Dry run**: nothing was deleted, commented, labelled or closed. ${count(outcome, 'would')}`
      : count(outcome, 'did'),
    fleetLine(outcome, inputs.dryRun),
  ].join(' ');
  const details = outcome.reports.map(
    (r) =>
      `<details><summary>PR #${r.pr}: ${r.failed ? '❌ failed' : '🗑️ removed'}</summary>\n\n${renderRemovalTable(r.results)}\n\n</details>`,
  );
  const deferred = outcome.deferred.length
    ? [
        `${outcome.deferred.length} PR(s) over max-deletions (${inputs.maxDeletions}) are left for the next run: ${outcome.deferred.map((p) => `#${p}`).join(', ')}`,
        '',
      ]
    : [];
  await writeSummary(
    [
      '### Preview reaper',
      '',
      head,
      '',
      ...deferred,
      table,
      '',
      ...details,
      ...outcome.errors.map((e) => `- ⚠️ ${e}`),
      '',
    ].join('\n'),
  );
  if (outcome.failed) {
    const failedPrs = outcome.reports.filter((r) => r.failed).map((r) => `#${r.pr}`);
    throw new ActionError(
      `The reaper could not finish: ${[...outcome.errors, ...(failedPrs.length ? [`teardown failed for ${failedPrs.join(', ')}`] : [])].join('; ')}`,
      {
        hint: 'Everything else was still done; the step summary has the per-resource tables. The next run retries.',
      },
    );
  }
}

/** "12 previews, 3 sleeping" after the run (slept this run: "2 put to sleep"). */
function fleetLine(
  o: { previews: number[]; sleeping: number[]; slept: number[]; costPerHour?: number },
  dryRun: boolean,
): string {
  const slept = o.slept.length ? ` (${o.slept.length}${dryRun ? ' would be' : ''} put to sleep this run)` : '';
  const cost = o.costPerHour === undefined ? '' : `, ≈ ${formatDollars(o.costPerHour)}/h`;
  return `${o.previews.length} previews, ${o.sleeping.length} sleeping${cost}${slept}.`;
}

function count(
  o: {
    reaped: number[];
    kept: number[];
    warned: number[];
    plan: Array<{ decision: { action: string }; deferred?: boolean }>;
  },
  mode: 'did' | 'would',
): string {
  const reap =
    mode === 'would' ? o.plan.filter((p) => p.decision.action === 'reap' && !p.deferred).length : o.reaped.length;
  return `${mode === 'would' ? 'Would reap' : 'Reaped'} ${reap}, kept ${o.kept.length}, ${mode === 'would' ? 'would warn' : 'warned'} ${o.warned.length}.`;
}
