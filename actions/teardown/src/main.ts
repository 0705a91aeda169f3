/**
 * teardown: validate everything, then remove the PR's releases, namespace, Vault paths, ECR
 * repositories and deployments in that order — every step attempted — and fail at the end if any
 * step failed. Needs no checkout: every name comes from the inputs and the PR number.
 */
import {
  ActionError,
  loadContext,
  log,
  onGitLabCi,
  requirePrNumber,
  setOutputs,
  setStepTimeout,
  writeSummary,
  type ActionContext,
} from '@preview-fleet/core';
import {
  bindTeardownPorts,
  itemFromTargets,
  removalClients,
  renderRemovalTable,
  teardownMany,
} from '@preview-fleet/core/lifecycle';
import { parseInputs, planTeardown, readRawInputs, type Inputs, type TeardownPlan } from './inputs.js';

interface Prepared {
  inputs: Inputs;
  ctx: ActionContext;
  pr: number;
  plan: TeardownPlan;
}

/** Everything checked before any system is contacted (also the all-in-one's validate step). */
export function validate(): Prepared {
  const inputs = parseInputs(readRawInputs());
  const ctx = loadContext(inputs.prNumber);
  const pr = requirePrNumber(ctx);
  const plan = planTeardown(
    inputs,
    {
      number: pr,
      headSha: ctx.pr?.headSha,
      headRef: ctx.pr?.headRef,
      baseRef: ctx.pr?.baseRef,
      author: ctx.pr?.author,
    },
    ctx.repository,
  );
  return { inputs, ctx, pr, plan };
}

export async function main(): Promise<void> {
  const { inputs, ctx, pr, plan } = validate();
  setStepTimeout(inputs.timeoutMs);
  if (ctx.action === 'unlabeled' && ctx.label !== undefined && ctx.label !== inputs.label) {
    log.info(`Label "${ctx.label}" was removed, not "${inputs.label}": nothing to tear down`);
    setOutputs({
      report: JSON.stringify({ pr, failed: false, nothingFound: true, skipped: `unlabeled ${ctx.label}`, results: [] }),
    });
    return;
  }
  const token = inputs.githubToken;
  // In a GitLab job the CLI updates the merge request's note around this step.
  if (!token && !onGitLabCi())
    log.warning('github-token is empty: the PR comment and deployments are left as they are');
  const ports = bindTeardownPorts(
    removalClients({
      ctx,
      requestTimeoutMs: inputs.requestTimeoutMs,
      timeoutMs: inputs.timeoutMs,
      vault: inputs.vault,
      awsRegion: inputs.awsRegion,
      github: token
        ? { token, commentAuthor: inputs.commentAuthor, services: inputs.services, deployments: true }
        : undefined,
      logWarning: (m) => log.warning(m),
    }),
  );
  log.info(
    `Tearing down the preview of ${ctx.repository}#${pr}: ${plan.targets.map((t) => `${t.namespace}/${t.release}`).join(', ')}`,
  );
  const [report] = await teardownMany(ports, [itemFromTargets(pr, plan.targets, plan.environments)]);
  const table = renderRemovalTable(report!.results);
  log.info(table);
  setOutputs({ report: JSON.stringify(report) });
  const headline = report!.nothingFound
    ? `Nothing to remove: PR #${pr} has no preview (never had one, or it is already gone).`
    : report!.failed
      ? `Teardown of PR #${pr} did not finish: see the failed rows.`
      : `The preview of PR #${pr} is destroyed.`;
  await writeSummary(['### Preview teardown', '', headline, '', table, ''].join('\n'));
  if (report!.nothingFound) log.info(headline);
  if (report!.failed) {
    const failed = report!.results.filter((r) => r.status === 'failed');
    throw new ActionError(
      `Teardown of PR #${pr} failed for ${failed.length} resource(s): ${failed.map((r) => `${r.kind} ${r.name} (${r.reason ?? 'no reason'})`).join('; ')}`,
      {
        hint: 'Every other step was still attempted; re-run the job once the cause is fixed (removal is idempotent).',
      },
    );
  }
}
