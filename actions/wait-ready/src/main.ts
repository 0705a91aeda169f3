/**
 * wait-ready: rollouts (or the Argo CD Application), then the HTTP probe, then the smoke command;
 * outputs say whether the preview is really live and how long each phase took.
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
import { kubectlTools, readBasicAuthSecret, renderPhases, splitCommandLine, waitReady } from '@preview-fleet/core/kube';
import { parseInputs, readRawInputs } from './inputs.js';

export async function main(): Promise<void> {
  const ctx = loadContext();
  const inputs = parseInputs(readRawInputs(), ctx.pr?.headSha);
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
  });
  const elapsed = (result.elapsedMs / 1000).toFixed(1);
  setOutputs({
    ready: result.ready,
    elapsed,
    diagnostics: result.diagnostics ?? '',
    'smoke-result': result.smokeResult,
    'smoke-report': result.smokeMarkdown ?? '',
  });
  for (const p of result.phases) log.info(`${p.phase}: ${(p.ms / 1000).toFixed(1)} s — ${p.detail}`);
  await writeSummary(
    [
      '### Preview readiness',
      '',
      renderPhases(result),
      '',
      ...(result.smokeMarkdown ? [result.smokeMarkdown, ''] : []),
      result.ready ? `✅ ready in ${elapsed} s` : `❌ ${result.message}`,
      '',
    ].join('\n'),
  );
  if (!result.ready) throw new ActionError(result.message ?? 'The preview is not ready');
}
