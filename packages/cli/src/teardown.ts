/**
 * `preview-fleet teardown` (the stop job) and `preview-fleet reap` (the scheduled reaper): the
 * teardown and reap-orphans actions' own steps, with the merge request's note updated through the
 * GitLab forge — "tearing down" first, then "destroyed" (or "failed") with the removal table.
 */
import { ActionError, log, systemClock } from '@preview-fleet/core';
import { announceTeardownNote } from '@preview-fleet/core/forge';
import { renderRemovalTable, type TeardownReport } from '@preview-fleet/core/lifecycle';
import { noteAuthor, type CliContext } from './context.js';
import { stepEnvironment } from './job.js';
import { stepRunner, validateSteps } from './steps.js';

export async function teardown(c: CliContext, self: string): Promise<void> {
  const pr = c.pr!;
  const author = await noteAuthor(c);
  const call = { 'pr-number': String(pr), 'github-token': '' };
  await validateSteps(stepRunner(self, stepEnvironment(c.job, author, undefined, c.env), c.values), [
    ['teardown', call],
  ]);
  // The MR's branch and author feed the name templates when it still exists; a deleted MR leaves the number.
  const mr = await c.forge.getChangeRequest(pr);
  const runner = stepRunner(self, stepEnvironment(c.job, author, mr, c.env), c.values);
  const announce = (state: 'tearing-down' | 'destroyed' | 'failed', details?: string) =>
    announceTeardownNote(c.forge, {
      number: pr,
      author,
      state,
      services: c.services,
      details,
      runId: c.job.pipelineId,
      runAttempt: c.job.jobId,
      runUrl: c.job.jobUrl,
      now: systemClock.now(),
      render: { serverUrl: c.job.serverUrl, repository: c.job.projectPath },
    });
  const noted = await announce('tearing-down');
  const r = await runner.run('teardown', call);
  let report: TeardownReport | undefined;
  try {
    report = JSON.parse(r.outputs.report ?? '') as TeardownReport;
  } catch {
    report = undefined;
  }
  if (noted !== 'no-note')
    await announce(
      !r.ok || !report || report.failed ? 'failed' : 'destroyed',
      report ? renderRemovalTable(report.results) : 'teardown failed; see the job log.',
    );
  if (!r.ok)
    throw new ActionError(`teardown of !${pr} failed (exit ${r.exitCode})`, {
      hint: 'Its report above says which resource failed and why; re-run the stop job (removal is idempotent).',
    });
  log.info(report?.nothingFound ? `Nothing to remove for !${pr}` : `The preview of !${pr} is destroyed`);
}

export async function reap(c: CliContext, self: string): Promise<void> {
  const author = await noteAuthor(c);
  const runner = stepRunner(self, stepEnvironment(c.job, author, undefined, c.env), c.values);
  const call = { 'github-token': '' };
  await validateSteps(runner, [['reap-orphans', call]]);
  const r = await runner.run('reap-orphans', call);
  if (!r.ok)
    throw new ActionError(`reap-orphans failed (exit ${r.exitCode})`, {
      hint: 'Its summary above says what failed; the next scheduled run retries.',
    });
}
