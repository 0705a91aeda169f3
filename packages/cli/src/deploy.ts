/**
 * `preview-fleet deploy`: the all-in-one action's deploy lifecycle (src/deploy.ts) for a merge
 * request: every step's inputs checked first, then the MR as GitLab sees it (open, labelled, at
 * this pipeline's commit, not a fork's), then per service note → (build ‖ Vault copy) →
 * deploy-helm → wait-ready → note, and the URL into a dotenv report for `environment: url`.
 */
import { writeFileSync } from 'node:fs';
import { ActionError, forkHeadAllowed, log, redact, systemClock } from '@preview-fleet/core';
import { upsertStatusNote } from '@preview-fleet/core/forge';
import { SLEEP_NOTES, type PreviewState, type ServiceSection } from '@preview-fleet/core/github';
import { stillWanted } from '@preview-fleet/core/kube';
import { noteAuthor, type CliContext } from './context.js';
import { stepEnvironment } from './job.js';
import { stepRunner, validateSteps, type StepRun } from './steps.js';

type Extra = Partial<
  Pick<ServiceSection, 'url' | 'image' | 'imageSource' | 'namespace' | 'vaultUrl' | 'details' | 'stateNote' | 'cost'>
>;

export async function deploy(c: CliContext, self: string): Promise<void> {
  const pr = c.pr!;
  const v = c.values;
  const prebuilt = v.image !== '';
  const useVault = v['vault-addr'] !== '';
  // Every step's inputs, checked before anything is contacted; github-token stays empty: nothing of GitHub's is used.
  const base = { 'pr-number': String(pr), 'github-token': '' };
  const author = await noteAuthor(c);
  await validateSteps(
    stepRunner(self, stepEnvironment(c.job, author, undefined, c.env), v),
    c.services.flatMap((service): Array<[string, Record<string, string>]> => [
      ...(useVault ? [['seed-vault', { ...base, service }] as [string, Record<string, string>]] : []),
      ...(prebuilt ? [] : [['build-push', { ...base, service }] as [string, Record<string, string>]]),
      ['deploy-helm', { ...base, service, image: '' }],
      ['wait-ready', { ...base, namespace: 'preview-pr-0', url: '', 'basic-auth-secret': '' }],
    ]),
  );

  const mr = await c.forge.getChangeRequest(pr);
  if (!mr) throw new ActionError(`Merge request !${pr} of ${c.job.projectPath} does not exist; nothing was deployed`);
  if (mr.isFork && !forkHeadAllowed(c.env))
    throw new ActionError(
      `Refusing to deploy !${pr}: its source branch is in another project (a fork), and fork code is never built or deployed with this project's credentials`,
      { hint: 'Nothing was built, deployed, created or noted.' },
    );
  const wanted = stillWanted(mr, pr, v.label!, c.job.sha || undefined);
  if (!wanted.wanted) {
    log.notice(`Not deploying: ${wanted.reason}`, 'Preview not deployed');
    return;
  }
  const runner = stepRunner(self, stepEnvironment(c.job, author, mr, c.env), v);
  const render = { serverUrl: c.job.serverUrl, repository: c.job.projectPath };
  const post = async (service: string, state: PreviewState, extra: Extra = {}): Promise<void> => {
    const section: ServiceSection = {
      service,
      state,
      ...extra,
      image: extra.image && redact(extra.image),
      details: extra.details && redact(extra.details),
      sha: mr.headSha || undefined,
      runId: c.job.pipelineId,
      runAttempt: c.job.jobId,
      runUrl: c.job.jobUrl,
      updatedAt: new Date(systemClock.now()).toISOString(),
    };
    const r = await upsertStatusNote(c.forge, pr, author, section, render);
    log.info(`Status note ${r.action} (${r.noteUrl})`);
    if (!r.applied) log.notice(`A newer pipeline already recorded "${service}": this update was kept out`);
    if (r.foreign.length)
      log.notice(
        `Ignored ${r.foreign.length} note(s) carrying the preview-fleet marker written by ${[...new Set(r.foreign.map((f) => f.author ?? 'an unknown author'))].join(', ')}, not ${author}`,
      );
  };

  const urls: Record<string, string> = {};
  const failed: string[] = [];
  let namespace = '';
  for (const service of c.services) {
    const call = { ...base, service };
    await post(service, 'building');
    const [build, secrets] = await Promise.all([
      prebuilt ? undefined : runner.run('build-push', call, { buffer: true }),
      useVault ? runner.run('seed-vault', call, { buffer: true }) : undefined,
    ]);
    for (const r of [build, secrets]) if (r) process.stdout.write(r.log);
    const vaultUrl = secrets?.outputs['vault-ui-url'] || undefined;
    const prepFailed = [build, secrets].filter((r): r is StepRun => !!r && !r.ok).map((r) => r.step);
    if (prepFailed.length) {
      await post(service, 'failed', { vaultUrl, details: `${prepFailed.join(' and ')} failed; see the job log.` });
      failed.push(`${service}: ${prepFailed.join(' and ')}`);
      continue;
    }
    const image = prebuilt ? v.image! : (build?.outputs.image ?? '');
    // The note shows whether this pipeline rebuilt the image or reused it (content tags, issue 18).
    const imageSource = build?.outputs['image-source'] || undefined;
    await post(service, 'deploying', { image, imageSource, vaultUrl });
    const release = await runner.run('deploy-helm', { ...call, image });
    if (release.outputs.status === 'skipped') {
      await post(service, 'skipped', { image, imageSource, vaultUrl });
      continue;
    }
    namespace = release.outputs.namespace || namespace;
    const url = release.outputs.url || undefined;
    const fail = async (r: StepRun) => {
      await post(service, 'failed', {
        image,
        imageSource,
        url,
        namespace,
        vaultUrl,
        details: r.outputs.diagnostics || `${r.step} failed; see the job log.`,
      });
      failed.push(`${service}: ${r.step}`);
    };
    if (!release.ok) {
      await fail(release);
      continue;
    }
    const ready = await runner.run('wait-ready', {
      ...base,
      namespace: release.outputs.namespace ?? '',
      url: url ?? '',
      'basic-auth-secret': release.outputs['basic-auth-secret'] ?? '',
    });
    if (!ready.ok) {
      await fail(ready);
      continue;
    }
    const login = release.outputs['basic-auth-location']
      ? `🔑 Private preview: the login is in ${release.outputs['basic-auth-location']}.`
      : '';
    // wait-ready left a scale-to-zero preview asleep (KEDA's HTTP add-on): it wakes on the first request.
    const asleep = ready.outputs.state === 'sleeping';
    await post(service, asleep ? 'sleeping' : 'ready', {
      image,
      imageSource,
      url,
      namespace,
      vaultUrl,
      stateNote: asleep ? SLEEP_NOTES.keda : undefined,
      cost: release.outputs.cost || undefined,
      details: [login, ready.outputs['smoke-report'] ?? ''].filter(Boolean).join('\n\n') || undefined,
    });
    urls[service] = url ?? '';
  }
  writeDotenv(v.dotenv!, { url: urls[c.services[0]!] ?? '', urls, namespace });
  if (failed.length)
    throw new ActionError(`${failed.length} of ${c.services.length} service(s) failed: ${failed.join('; ')}`, {
      hint: "The merge request's note has the details of each failure.",
    });
}

/** GitLab's dotenv report: `environment: url: $PREVIEW_URL` reads it when the job ends. */
export function writeDotenv(path: string, o: { url: string; urls: Record<string, string>; namespace: string }): void {
  if (!path) return;
  const line = (k: string, val: string) => `${k}=${val.replace(/[\r\n]/g, ' ')}`;
  writeFileSync(
    path,
    [line('PREVIEW_URL', o.url), line('PREVIEW_NAMESPACE', o.namespace), line('PREVIEW_URLS', JSON.stringify(o.urls))]
      .join('\n')
      .concat('\n'),
  );
}
