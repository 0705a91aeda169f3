/**
 * seed-vault: validate everything, log in, create the per-PR copy of stage once, report.
 */
import {
  loadContext,
  log,
  newMarks,
  refuseForkHead,
  requirePrNumber,
  setOutputs,
  setStepTimeout,
  summaryTable,
  systemClock,
  writeSummary,
} from '@preview-fleet/core';
import { loginVault, renewVaultExpiry, seedSecrets } from '@preview-fleet/core/vault';
import { parseInputs, planSeed, readRawInputs, vaultUiUrl } from './inputs.js';

/** Everything that can be checked before touching Vault: inputs, the PR, the planned paths. */
export function prepare() {
  const inputs = parseInputs(readRawInputs());
  const ctx = loadContext(inputs['pr-number']);
  const pr = requirePrNumber(ctx);
  refuseForkHead(ctx, 'seed preview secrets');
  const plan = planSeed(inputs, { number: pr, headSha: ctx.pr?.headSha }, ctx.repository);
  return { inputs, ctx, pr, plan };
}

export async function main(): Promise<void> {
  const { inputs, ctx, pr, plan } = prepare();
  setStepTimeout(inputs.timeout);
  const mount = inputs.mount;
  const kv = inputs['kv-version'];

  const session = await loginVault({
    addr: inputs['vault-addr'].toString(),
    namespace: inputs['vault-namespace'],
    method: inputs['auth-method'],
    role: inputs.role,
    jwtAudience: inputs['jwt-audience'],
    roleId: inputs['role-id'],
    secretId: inputs['secret-id'],
    token: inputs.token,
    clock: systemClock,
    requestTimeoutMs: inputs['request-timeout'],
  });
  log.info(`Logged in to Vault with ${inputs['auth-method']}`);

  const marks = newMarks({
    repository: ctx.repository,
    pr,
    service: inputs.service,
    headSha: ctx.pr?.headSha,
    now: systemClock.now(),
    ttlMs: inputs.ttl,
  });
  const result = await seedSecrets(session, {
    mount,
    kvVersion: kv,
    sourcePath: plan.sourcePath,
    targetPath: plan.targetPath,
    allowedPrefix: plan.allowedPrefix,
    overrides: inputs.overrides,
    marks,
  });
  if (result.finishedMarks) {
    log.notice(
      `${mount}/${plan.targetPath} had no ownership marks but is exactly this PR's copy (an earlier create whose reply or marks were lost); marked it for ${ctx.repository}#${pr}`,
    );
  }
  // A reused copy keeps its data but not its first run's expiry: the reaper reads expires-at here too.
  if (!result.created && kv === 2) await renewVaultExpiry(session, { mount, path: plan.targetPath, marks });
  const uiUrl = vaultUiUrl(inputs, plan.targetPath);
  log.info(
    result.created
      ? `Created ${mount}/${plan.targetPath} from ${mount}/${plan.sourcePath} (${result.keyCount} keys)`
      : `${mount}/${plan.targetPath} already exists (${result.keyCount} keys); left untouched: it belongs to the PR now`,
  );
  setOutputs({
    'secret-path': plan.targetPath,
    created: result.created,
    'vault-ui-url': uiUrl,
    'key-count': result.keyCount,
  });
  await writeSummary(
    [
      '### Preview secrets',
      '',
      summaryTable(
        ['path', 'source', 'created', 'keys'],
        [[`[${mount}/${plan.targetPath}](${uiUrl})`, `${mount}/${plan.sourcePath}`, result.created, result.keyCount]],
      ),
      '',
    ].join('\n'),
  );
}
