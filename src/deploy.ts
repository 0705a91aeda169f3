/**
 * The deploy lifecycle of the all-in-one action: every service at once (at most `max-parallel`),
 * each comment → (build ‖ secrets) → [its dependencies ready] → deploy-helm → wait-ready →
 * comment, each ending in one outcome. Each service's log is kept whole and printed as one block,
 * in the order of `services`; comment writes go through one queue.
 */
import { ActionError, errorText, input, log, setOutputs } from '@preview-fleet/core';
import { claimCapSlot } from './cap-check.js';
import { inputEnvName } from '@preview-fleet/core/lifecycle';
import { sharedQuotaInput } from '@preview-fleet/core/kube';
import { CommentQueue } from './comment-queue.js';
import { parseDependsOn } from './depends-on.js';
import { runServices, type ServiceRun } from './service-pool.js';
import { ServiceLogs, type ServiceLog } from './service-log.js';
import { runStep, stepCall, validateSteps, type StepCall, type StepRun } from './steps.js';

/** How one service's deploy ended; what it produced is set as far as it got. */
export interface ServiceOutcome {
  service: string;
  state: 'ready' | 'sleeping' | 'skipped' | 'failed';
  /** The image deployed (built or given), once the build step succeeded. */
  image?: string;
  built?: boolean;
  /** The PR's namespace, once deploy-helm named it. */
  namespace?: string;
  /** The preview's URL, when ready. */
  url?: string;
  /** Which step(s) failed, when failed. */
  failedStep?: string;
}

/** Posts one service's state to the sticky comment; `final` waits until it is written. */
type PostStatus = (state: string, extra?: Record<string, string>, final?: boolean) => Promise<void>;

interface DeployPlan {
  prebuilt: boolean;
  useVault: boolean;
  /** deploy-helm's `resource-quota`: the namespace's quota, shared by all the PR's services. */
  quota: string;
}

export const commentCall = (service: string, state: string, extra: Record<string, string> = {}): StepCall =>
  stepCall('comment-status', {
    service,
    state,
    url: '',
    namespace: '',
    image: '',
    'vault-url': '',
    details: '',
    cost: '',
    ...extra,
  });

/** Placeholders for values only earlier steps can produce, used when checking inputs alone. */
const VALIDATION_PLACEHOLDERS = { namespace: 'preview-pr-0', url: '', image: '' };

/** Every step a deploy of these services will run, with placeholders where an earlier step's output goes. */
function validationPlan(services: string[], plan: DeployPlan): StepCall[] {
  return services.flatMap((service) => [
    commentCall(service, 'building'),
    ...(plan.useVault ? [stepCall('seed-vault', { service })] : []),
    ...(plan.prebuilt ? [] : [stepCall('build-push', { service })]),
    stepCall('deploy-helm', { service, image: VALIDATION_PLACEHOLDERS.image, 'resource-quota': plan.quota }),
    stepCall('wait-ready', {
      namespace: VALIDATION_PLACEHOLDERS.namespace,
      url: VALIDATION_PLACEHOLDERS.url,
      'basic-auth-secret': '',
    }),
  ]);
}

/**
 * One service from comment to ready: every failure is posted to the comment and ends the
 * service's run (the others go on). Build and secrets never wait for dependencies; the deploy does.
 */
async function deployService(
  service: string,
  plan: DeployPlan,
  post: PostStatus,
  run: ServiceRun,
  out: ServiceLog,
): Promise<ServiceOutcome> {
  void post('building');
  const [build, secrets] = await run.slot(() =>
    Promise.all([
      runStep(plan.prebuilt ? stepCall('given-image') : stepCall('build-push', { service }), { buffer: true }),
      plan.useVault ? runStep(stepCall('seed-vault', { service }), { buffer: true }) : undefined,
    ]),
  );
  out.add(build, secrets);
  const vaultUrl = secrets?.outputs['vault-ui-url'] ?? '';
  const failedPrep = [build, secrets]
    .filter((r): r is StepRun => !!r && !r.ok)
    .map((r) => r.step)
    .join(' and ');
  if (failedPrep) {
    await post('failed', { 'vault-url': vaultUrl, details: `${failedPrep} failed; see the run log.` }, true);
    return { service, state: 'failed', failedStep: failedPrep };
  }
  const image = build.outputs.image ?? '';
  const built = build.outputs.built === 'true';
  const shown = { image, 'image-source': build.outputs['image-source'] ?? '' }; // the comment's rebuilt/reused

  const notReady = await run.dependencies();
  if (notReady.length) {
    const details = `Not deployed: it depends on ${notReady.join(', ')}, which did not become ready.`;
    out.note(`${service}: ${details}`);
    await post('failed', { ...shown, 'vault-url': vaultUrl, details }, true);
    return { service, state: 'failed', image, built, failedStep: `depends on ${notReady.join(', ')}` };
  }
  void post('deploying', { ...shown, 'vault-url': vaultUrl });

  return run.slot(async () => {
    const release = out.add(
      await runStep(stepCall('deploy-helm', { service, image, 'resource-quota': plan.quota }), { buffer: true }),
    );
    if (release.outputs.status === 'skipped') {
      out.note(`${service}: deploy skipped (the PR is closed or no longer opted in; see deploy-helm's notice)`);
      await post('skipped', { ...shown, 'vault-url': vaultUrl }, true);
      return { service, state: 'skipped', image, built };
    }
    const namespace = release.outputs.namespace ?? '';
    const url = release.outputs.url ?? '';
    const failed = async (step: StepRun): Promise<ServiceOutcome> => {
      const details = step.outputs.diagnostics || `${step.step} failed; see the run log.`;
      await post('failed', { ...shown, url, namespace, 'vault-url': vaultUrl, details }, true);
      return { service, state: 'failed', image, built, namespace, failedStep: step.step };
    };
    if (!release.ok) return failed(release);
    const ready = out.add(
      await runStep(
        stepCall('wait-ready', {
          namespace,
          url,
          'basic-auth-secret': release.outputs['basic-auth-secret'] ?? '',
        }),
        { buffer: true },
      ),
    );
    if (!ready.ok) return failed(ready);
    // Where the login is, never the login itself.
    const login = release.outputs['basic-auth-location']
      ? `🔑 Private preview: the login is in ${release.outputs['basic-auth-location']}.`
      : '';
    const details = [login, ready.outputs['smoke-report'] ?? ''].filter(Boolean).join('\n\n');
    // wait-ready left a preview asleep (KEDA HTTP add-on): the comment says it wakes on the first request.
    const state = ready.outputs.state === 'sleeping' ? 'sleeping' : 'ready';
    await post(
      state,
      { ...shown, url, namespace, 'vault-url': vaultUrl, details, cost: release.outputs.cost ?? '' },
      true,
    );
    return { service, state, image, built, namespace, url };
  });
}

/** The all-in-one's deploy inputs, all checked before anything is created. */
export function deployPlan(services: string[]) {
  const maxParallel = input.integer('max-parallel', { min: 1, max: 50 });
  const dependsOn = parseDependsOn(input.string('depends-on'), services);
  const plan: DeployPlan = {
    prebuilt: input.string('image') !== '',
    useVault: (process.env[inputEnvName('vault-addr')] ?? '').trim() !== '',
    quota: sharedQuotaInput(process.env[inputEnvName('resource-quota')] ?? '', services.length),
  };
  return { maxParallel, dependsOn, plan };
}

/**
 * Deploys the services side by side, then sets the outputs; fails when any service failed.
 * `note` (an approved fork deploy's terms) leads every status's details in the comment.
 */
export async function deploy(services: string[], note = ''): Promise<void> {
  const { maxParallel, dependsOn, plan } = deployPlan(services);
  if (!plan.useVault) log.info('vault-addr is empty: the secrets step is skipped (no per-PR Vault path)');
  await validateSteps(validationPlan(services, plan));
  log.info(
    `deploying ${services.length} service(s), at most ${maxParallel} at once` +
      (dependsOn.size ? `; waiting: ${[...dependsOn].map(([s, d]) => `${s} after ${d.join(', ')}`).join('; ')}` : ''),
  );

  let commentUrl = '';
  const logs = new ServiceLogs(services);
  const queue = new CommentQueue(async ({ service, state, extra }) => {
    const details = [note, extra.details ?? ''].filter(Boolean).join('\n\n');
    const r = await runStep(commentCall(service, state, { ...extra, details }), { buffer: true });
    logs.of(service).add({ ...r, step: `comment-status ${state}` });
    commentUrl = r.outputs['comment-url'] || commentUrl;
  });
  // max-previews is decided before any build or Vault work (issue 19 §3).
  await claimCapSlot().catch(async (err: unknown) => {
    await Promise.all(
      services.map((service) => queue.post({ service, state: 'failed', extra: { details: errorText(err) } })),
    );
    await queue.idle();
    throw err;
  });
  const background: Promise<unknown>[] = [];
  const outcomes = await runServices(services, dependsOn, maxParallel, async (service, run) => {
    const post: PostStatus = async (state, extra = {}, final = false) => {
      const written = queue.post({ service, state, extra });
      if (!final) {
        background.push(written);
        written.catch(() => undefined); // surfaced by the Promise.all below
        return;
      }
      await written;
    };
    const outcome = await deployService(service, plan, post, run, logs.of(service));
    await logs.done(service);
    return outcome;
  });
  await queue.idle();
  await Promise.all(background);

  const pick = <K extends keyof ServiceOutcome>(key: K) =>
    Object.fromEntries(outcomes.filter((o) => o[key] !== undefined).map((o) => [o.service, o[key]]));
  const urls = Object.fromEntries(
    outcomes.filter((o) => o.state === 'ready' || o.state === 'sleeping').map((o) => [o.service, o.url ?? '']),
  );
  const failed = outcomes.filter((o) => o.state === 'failed').map((o) => `${o.service}: ${o.failedStep}`);
  setOutputs({
    lifecycle: 'deploy',
    url: urls[services[0]!] ?? '',
    urls: JSON.stringify(urls),
    images: JSON.stringify(pick('image')),
    built: JSON.stringify(pick('built')),
    namespace: outcomes.find((o) => o.namespace)?.namespace ?? '',
    'comment-url': commentUrl,
  });
  if (failed.length)
    throw new ActionError(`${failed.length} of ${services.length} service(s) failed: ${failed.join('; ')}`, {
      hint: 'The PR comment has the details of each failure.',
    });
}
