/**
 * deploy-helm: validate everything, find helm/kubectl, then the core story (still wanted → cap →
 * namespace → guardrails → stuck release → helm upgrade), outputs and a summary.
 */
import {
  ActionError,
  checkApproval,
  errorText,
  loadContext,
  log,
  newMarks,
  parseApproveSha,
  refuseForkHead,
  requirePrNumber,
  setOutputs,
  setStepTimeout,
  summaryTable,
  writeSummary,
} from '@preview-fleet/core';
import { forgeFromEnvironment } from '@preview-fleet/core/forge';
import { createGitHubClient, getPullRequest } from '@preview-fleet/core/github';
import {
  dataChecksum,
  deployPreview,
  describeCost,
  namespaceRequests,
  detectTools,
  kubectlTools,
  setPath,
  splitKeyPath,
  stillWanted,
  type DeployResult,
  type StillWanted,
} from '@preview-fleet/core/kube';
import { BASIC_AUTH_KEYS, ensureBasicAuth, loginVault, readPrSecret } from '@preview-fleet/core/vault';
import { parseInputs, planDeploy, readRawInputs } from './inputs.js';

/** Everything checked before touching the cluster: inputs, the PR, the planned names. */
export function validate() {
  const inputs = parseInputs(readRawInputs());
  const ctx = loadContext(inputs.prNumber);
  const pr = requirePrNumber(ctx);
  refuseForkHead(ctx, 'deploy');
  parseApproveSha(inputs.approveSha ?? '', ctx.eventName);
  const plan = planDeploy(
    inputs,
    {
      number: pr,
      headSha: inputs.approveSha ?? ctx.pr?.headSha,
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
  // `timeout` bounds the whole step; helm's own wait gets what is left of it (deployPreview).
  setStepTimeout(inputs.timeoutMs);
  const requestTimeoutMs = inputs.requestTimeoutMs;

  // Detection overlaps the other reads; the story awaits it before the first helm call.
  const tools = detectTools({ requestTimeoutMs });
  tools.then(
    (t) => log.info(`Helm ${t.helmVersion} (major ${t.helmMajor}); deploying ${plan.release} into ${plan.namespace}`),
    () => undefined,
  );

  const checkStillWanted = async (): Promise<StillWanted> => {
    // A manual deploy carries no PR: whether it is a fork's, and whether the approval still holds, is GitHub's word now.
    const manual = ctx.pr === undefined;
    // A GitLab job (the CLI): the merge request as GitLab sees it now, right before helm.
    const forge = forgeFromEnvironment(process.env, requestTimeoutMs);
    if (forge) {
      const current = await forge.getChangeRequest(pr);
      const wanted = stillWanted(current, pr, inputs.label, plan.headSha);
      if (current && !plan.headSha) plan.headSha = current.headSha;
      return wanted;
    }
    if (inputs.githubToken === '' && manual) {
      throw new ActionError(
        `A manual deploy of PR #${pr} needs github-token: whether the PR is a fork's, and its head, are read from GitHub right before deploying`,
      );
    }
    if (inputs.githubToken === '') {
      log.warning(
        'github-token is empty: the PR state comes from the event payload and is not re-checked',
        'PR not re-checked',
      );
      return ctx.pr ? stillWanted(ctx.pr, pr, inputs.label) : { wanted: true };
    }
    const current = await getPullRequest(
      createGitHubClient(inputs.githubToken, { baseUrl: ctx.apiUrl, requestTimeoutMs }),
      ctx.repository,
      pr,
    );
    if (manual && current?.state === 'open') checkApproval(current, inputs.approveSha);
    // The event's head SHA (or approve-sha) is the commit this run built; without one (workflow_dispatch) the PR's head is deployed.
    const wanted = stillWanted(current, pr, inputs.label, plan.headSha);
    if (current && !plan.headSha) plan.headSha = current.headSha;
    return wanted;
  };

  const sync = inputs.vaultSync;
  if (sync && plan.appSecret) {
    // Read (and mask) the PR's values before anything is created: a missing or foreign path creates nothing.
    const session = await loginVault(sync);
    const path = plan.appSecret.source.slice(sync.mount.length + 1);
    const data = await readPrSecret(session, {
      mount: sync.mount,
      kvVersion: sync.kvVersion,
      path,
      marks: newMarks({ repository: ctx.repository, pr, service: inputs.service, now: 0 }),
    });
    if (sync.basicAuth) {
      // The preview's login lives in the PR's Vault path (generated on the first deploy); the app's Secret does not carry it.
      const creds = await ensureBasicAuth(session, { mount: sync.mount, kvVersion: sync.kvVersion, path, data });
      if (creds.created) {
        log.info(
          `Generated the preview's basic-auth login into Vault ${plan.appSecret.source} (${BASIC_AUTH_KEYS.user}, ${BASIC_AUTH_KEYS.password})`,
        );
      }
      for (const k of Object.values(BASIC_AUTH_KEYS)) delete data[k];
      plan.basicAuth = {
        name: `${plan.release}-basic-auth`,
        source: plan.appSecret.source,
        user: creds.user,
        password: creds.password,
      };
    }
    if (sync.mode === 'secret') {
      plan.appSecret.data = data;
      // The checksum in the pod template rolls the pods when (and only when) the values changed.
      setPath(plan.values, splitKeyPath('secret-checksum-key', sync.checksumKey), dataChecksum(data));
    } else {
      log.info(
        `secret-sync ${sync.mode}: the chart's ${sync.mode === 'external-secrets' ? 'ExternalSecret' : 'VaultStaticSecret'} syncs ${plan.appSecret.source} into ${plan.appSecret.name}`,
      );
    }
  }

  const result = await deployPreview(plan, { tools, kubectl: kubectlTools({ requestTimeoutMs }), checkStillWanted });
  setOutputs({
    status: result.status,
    namespace: result.namespace,
    release: result.release,
    url: result.url ?? '',
    revision: result.revision ?? '',
    diagnostics: result.diagnostics ?? '',
    'basic-auth-secret': plan.basicAuth?.name ?? '',
    'basic-auth-location': plan.basicAuth
      ? `Vault ${plan.basicAuth.source}, keys ${BASIC_AUTH_KEYS.user} and ${BASIC_AUTH_KEYS.password}`
      : '',
  });
  await writeSummary(summary(result, (await tools).helmVersion));
  if (result.recoveryMessage) log.warning(result.recoveryMessage, 'Stuck release recovered');
  if (result.status === 'skipped') {
    log.notice(result.message!, 'Preview not deployed');
    return;
  }
  if (result.status === 'failed') {
    log.info(result.diagnostics ?? '');
    throw new ActionError(result.message!, {
      hint: "The diagnostics output holds Helm's status, Warning events and the pods that are not ready",
    });
  }
  log.info(
    `Deployed ${result.release} revision ${result.revision} into ${result.namespace}${result.url ? ` at ${result.url}` : ''}`,
  );
  if (inputs.prices) {
    // A courtesy for the comment: a failed read is a warning, never a failed deploy.
    const cost = await namespaceRequests(kubectlTools({ requestTimeoutMs }), result.namespace)
      .then((r) => describeCost(r, inputs.prices!))
      .catch((err: unknown) => {
        log.warning(`Could not read ${result.namespace}'s requests for the cost estimate: ${errorText(err)}`);
        return '';
      });
    if (cost) log.info(`Estimated cost: ${cost}`);
    setOutputs({ cost });
  }
}

function summary(r: DeployResult, helmVersion: string): string {
  const lines = ['### Preview deploy', ''];
  if (r.status === 'skipped') return [...lines, `⏭️ ${r.message}`, ''].join('\n');
  lines.push(
    summaryTable(
      ['release', 'namespace', 'revision', 'url', 'helm'],
      [[r.release, r.namespace, r.revision ?? '—', r.url ?? '—', helmVersion]],
    ),
    '',
  );
  if (r.recoveryMessage) lines.push(`⚠️ ${r.recoveryMessage}`, '');
  if (r.status === 'failed') lines.push(`❌ ${r.message}`, '', r.diagnostics ?? '', '');
  const t = Object.entries(r.timings)
    .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`)
    .join(' · ');
  if (t) lines.push(`<sub>${t}</sub>`, '');
  return lines.join('\n');
}
