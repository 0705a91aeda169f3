/**
 * comment-status: validate everything, then record the update in the PR's one status comment
 * and in the head commit's deployment. GitHub refusing or failing a write is a warning (it says
 * why and how to allow it) unless fail-on-error.
 */
import {
  ActionError,
  InputError,
  loadContext,
  log,
  redact,
  requirePrNumber,
  setOutputs,
  setStepTimeout,
  systemClock,
  writeSummary,
} from '@preview-fleet/core';
import {
  createGitHubClient,
  getPullRequest,
  publishPreviewStatus,
  renderStatusTable,
  SLEEP_NOTES,
  STATE_LABEL,
  type ServiceSection,
} from '@preview-fleet/core/github';
import { environmentFor, parseInputs, readRawInputs } from './inputs.js';

/** Everything that can be checked before GitHub is contacted: inputs, the PR, the environment. */
export function validate() {
  const inputs = parseInputs(readRawInputs());
  const ctx = loadContext(inputs.prNumber);
  const pr = requirePrNumber(ctx);
  const environment = inputs.deployment
    ? environmentFor(inputs.environment, { ...ctx.pr, number: pr }, ctx.repository, inputs.service)
    : undefined;
  return { inputs, ctx, pr, environment };
}

export async function main(): Promise<void> {
  const { inputs, ctx, pr, environment } = validate();
  setStepTimeout(inputs.timeoutMs);
  const client = createGitHubClient(inputs.githubToken, {
    baseUrl: ctx.apiUrl,
    requestTimeoutMs: inputs.requestTimeoutMs,
  });

  let headSha = ctx.pr?.headSha;
  let isFork = ctx.pr?.isFork ?? false;
  if (!ctx.pr) {
    // workflow_dispatch / schedule: the event carries no PR, so read its head (one GET).
    const found = await getPullRequest(client, ctx.repository, pr);
    if (!found)
      throw new InputError(
        'pr-number',
        String(pr),
        `must name a pull request of ${ctx.repository}`,
        `#${pr} does not exist`,
      );
    headSha = found.headSha;
    isFork = found.isFork;
  }

  const section: ServiceSection = {
    service: inputs.service,
    state: inputs.state,
    // This action reports `sleeping` when wait-ready found a scale-to-zero workload asleep (KEDA's HTTP
    // add-on); the reaper's policy sleep writes its own note through core.
    stateNote: inputs.state === 'sleeping' ? SLEEP_NOTES.keda : undefined,
    url: inputs.url,
    image: inputs.image && redact(inputs.image),
    imageSource: inputs.imageSource,
    namespace: inputs.namespace,
    vaultUrl: inputs.vaultUrl,
    sha: headSha || undefined,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    runUrl: inputs.logUrl ?? ctx.runUrl,
    updatedAt: new Date(systemClock.now()).toISOString(),
    details: inputs.details && redact(inputs.details),
    cost: inputs.cost,
  };
  const result = await publishPreviewStatus(client, {
    owner: ctx.owner,
    repo: ctx.repo,
    pr,
    serverUrl: ctx.serverUrl,
    section,
    environment,
    isFork,
    author: inputs.commentAuthor,
  });

  const c = result.comment;
  if (c) {
    log.info(
      `Status comment ${c.action} (${c.commentUrl})${c.deletedDuplicates.length ? `; collapsed ${c.deletedDuplicates.length} duplicate(s)` : ''}`,
    );
    if (!c.applied) {
      log.notice(
        `Kept out: run ${c.current.runId} (attempt ${c.current.runAttempt}) already recorded "${inputs.service}" as ${c.current.state}, ` +
          `and this run (${ctx.runId}, attempt ${ctx.runAttempt}) is older; the comment and the deployment are left as they are.`,
        'preview-fleet comment-status',
      );
    }
  }
  if (result.foreign.length) {
    log.notice(
      `Ignored ${result.foreign.length} comment(s) carrying the preview-fleet marker written by ` +
        `${[...new Set(result.foreign.map((f) => f.author ?? 'an unknown author'))].join(', ')}, not ${inputs.commentAuthor}: ` +
        'only our own comments are read or written. If the github-token writes as another login, set comment-author to it.',
      'preview-fleet comment-status',
    );
  }
  if (result.deploymentId !== undefined)
    log.info(`Deployment ${result.deploymentId} in ${environment}: ${result.deploymentStatus}`);
  if (result.deactivated.length)
    log.info(`Deployments set inactive in ${environment}: ${result.deactivated.join(', ')}`);

  setOutputs({ 'comment-id': c?.commentId, 'comment-url': c?.commentUrl, 'deployment-id': result.deploymentId });

  const sections = c?.sections ?? [section];
  const lines = [
    `### Preview of #${pr}: ${inputs.service} ${STATE_LABEL[inputs.state]}`,
    '',
    renderStatusTable(sections, { serverUrl: ctx.serverUrl, repository: ctx.repository }),
    '',
  ];
  if (c)
    lines.push(
      `[Status comment](${c.commentUrl})${result.deploymentId !== undefined ? ` · deployment ${result.deploymentId} (${environment})` : ''}`,
      '',
    );
  if (result.problems.length) lines.push(...result.problems.map((p) => `> ⚠️ ${p.message}`), '');
  await writeSummary(lines.join('\n'));

  if (result.problems.length && inputs.failOnError) {
    throw new ActionError(result.problems.map((p) => p.message).join('\n'), {
      hint: 'fail-on-error is true; set it to false to make this a warning',
    });
  }
  // One warning per distinct message (a read-only token refuses the comment and the deployment alike).
  for (const message of new Set(result.problems.map((p) => p.message)))
    log.warning(message, 'preview-fleet comment-status');
}
