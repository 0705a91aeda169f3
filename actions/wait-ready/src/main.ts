/**
 * wait-ready: rollouts (or the Argo CD Application), then the HTTP probe, then the smoke command;
 * outputs say whether the preview is really live and how long each phase took; once ready, the
 * seed Job's row counts and duration (seed-job) join the smoke report.
 */
import {
  ActionError,
  loadContext,
  log,
  maskSecret,
  setOutputs,
  setStepTimeout,
  writeSummary,
} from '@preview-fleet/core';
import {
  kubectlTools,
  readBasicAuthSecret,
  readSeedJob,
  renderPhases,
  splitCommandLine,
  waitReady,
} from '@preview-fleet/core/kube';
import { parseInputs, readRawInputs } from './inputs.js';

/** Everything checked before anything is waited on (also the all-in-one's validate step). */
export function validate() {
  const ctx = loadContext();
  const inputs = parseInputs(readRawInputs(), ctx.pr?.headSha);
  return { inputs, ctx };
}

export async function main(): Promise<void> {
  const { inputs, ctx } = validate();
  // The waits share `timeout` and report their own diagnostics when it is up; the hard bound
  // (a kubectl or probe that never returns) gets a few seconds more so those diagnostics come first.
  setStepTimeout(inputs.timeoutMs + 10_000);
  const base = inputs.url ? `${inputs.url.protocol}//${inputs.url.host}` : '';
  const smoke = inputs.smoke ? splitCommandLine('smoke-command', inputs.smoke, { PREVIEW_URL: base }) : undefined;
  const tools = kubectlTools({ requestTimeoutMs: inputs.requestTimeoutMs });
  if (inputs.basicAuthSecret && inputs.url) {
    const { user, password } = await readBasicAuthSecret(tools, inputs.namespace, inputs.basicAuthSecret);
    const authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    maskSecret(authorization);
    inputs.headers = { ...inputs.headers, Authorization: authorization };
    log.info(`The probe logs in as "${user}" with the login in Secret ${inputs.namespace}/${inputs.basicAuthSecret}`);
  }
  const result = await waitReady(tools, {
    namespace: inputs.namespace,
    kinds: inputs.kinds,
    selector: inputs.selector,
    url: inputs.url,
    headers: inputs.headers,
    expect: inputs.expect,
    timeoutMs: inputs.timeoutMs,
    smoke,
    argocd: inputs.argocd,
    argocdRevision: inputs.argocdRevision,
    previewUrl: base,
    junitReport: inputs.junitReport,
    reportLink: inputs.reportUrl ?? ctx.runUrl,
    warmUp: inputs.warmUp,
    warn: (m) => log.warning(m),
  });
  // Once ready, the seed Job's counts and duration join the smoke report (the comment's details).
  const seed = result.ready && inputs.seedJob ? await readSeedJob(tools, inputs.namespace, inputs.seedJob) : undefined;
  if (seed && seed.state !== 'complete')
    log.warning(
      `Seed job "${inputs.seedJob}" in "${inputs.namespace}": ${seed.markdown.replace(/^\*\*Seed:\*\* \S+ /, '')}`,
    );
  const seedFailed = seed?.state === 'failed';
  const report = [seed?.markdown, result.smokeMarkdown].filter(Boolean).join('\n\n');
  const elapsed = (result.elapsedMs / 1000).toFixed(1);
  const state = seedFailed ? 'failed' : result.state;
  setOutputs({
    ready: result.ready && !seedFailed,
    state,
    elapsed,
    diagnostics: seedFailed ? report : (result.diagnostics ?? ''),
    'smoke-result': result.smokeResult,
    'smoke-report': report,
  });
  for (const p of result.phases) log.info(`${p.phase}: ${(p.ms / 1000).toFixed(1)} s — ${p.detail}`);
  await writeSummary(
    [
      '### Preview readiness',
      '',
      renderPhases(result),
      '',
      ...(report ? [report, ''] : []),
      state === 'sleeping'
        ? `💤 sleeping — wakes on the first request (${result.asleep.join(', ')} at 0 replicas, KEDA HTTP add-on)`
        : result.ready && !seedFailed
          ? `✅ ready in ${elapsed} s`
          : `❌ ${result.message ?? seed?.markdown}`,
      '',
    ].join('\n'),
  );
  if (!result.ready) throw new ActionError(result.message ?? 'The preview is not ready');
  if (seedFailed)
    throw new ActionError(
      `The seed job "${inputs.seedJob}" in "${inputs.namespace}" failed${seed.reason ? `: ${seed.reason}` : ''}`,
      { hint: `kubectl logs job/${inputs.seedJob} -n ${inputs.namespace} shows why` },
    );
}
