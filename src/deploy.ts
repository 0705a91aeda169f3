/**
 * The deploy lifecycle of the all-in-one action: per service, comment → (build ‖ secrets) →
 * deploy-helm → wait-ready → comment, each service's run ending in one outcome.
 */
import { ActionError, errorText, group, input, log, setOutputs } from '@preview-fleet/core';
import { claimCapSlot } from './cap-check.js';
import { inputEnvName } from '@preview-fleet/core/lifecycle';
import { printBuffered, runStep, stepCall, validateSteps, type StepCall, type StepRun } from './steps.js';

/** How one service's deploy ended; what it produced is set as far as it got. */
export interface ServiceOutcome {
  service: string;
  state: 'ready' | 'skipped' | 'failed';
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

/** Posts one service's state to the sticky comment (comment-status as a step). */
type PostStatus = (service: string, state: string, extra?: Record<string, string>) => Promise<void>;

interface DeployPlan {
  prebuilt: boolean;
  useVault: boolean;
}

const commentCall = (service: string, state: string, extra: Record<string, string> = {}): StepCall =>
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
    stepCall('deploy-helm', { service, image: VALIDATION_PLACEHOLDERS.image }),
    stepCall('wait-ready', {
      namespace: VALIDATION_PLACEHOLDERS.namespace,
      url: VALIDATION_PLACEHOLDERS.url,
      'basic-auth-secret': '',
    }),
  ]);
}

/**
 * One service from comment to ready: every failure is posted to the comment and ends the
 * service's run (the next service still runs). `knownNamespace` is the PR's namespace as an
 * earlier service's deploy named it.
 */
async function deployService(
  service: string,
  plan: DeployPlan,
  post: PostStatus,
  knownNamespace: string,
): Promise<ServiceOutcome> {
  await post(service, 'building');
  const [build, secrets] = await Promise.all([
    runStep(plan.prebuilt ? stepCall('given-image') : stepCall('build-push', { service }), { buffer: true }),
    plan.useVault ? runStep(stepCall('seed-vault', { service }), { buffer: true }) : undefined,
  ]);
  await printBuffered([build, secrets]);
  const vaultUrl = secrets?.outputs['vault-ui-url'] ?? '';
  const failedPrep = [build, secrets]
    .filter((r): r is StepRun => !!r && !r.ok)
    .map((r) => r.step)
    .join(' and ');
  if (failedPrep) {
    await post(service, 'failed', { 'vault-url': vaultUrl, details: `${failedPrep} failed; see the run log.` });
    return { service, state: 'failed', failedStep: failedPrep };
  }
  const image = build.outputs.image ?? '';
  const built = build.outputs.built === 'true';
  await post(service, 'deploying', { image, 'vault-url': vaultUrl });

  const release = await group(`deploy-helm (${service})`, () => runStep(stepCall('deploy-helm', { service, image })));
  if (release.outputs.status === 'skipped') {
    log.info(`${service}: deploy skipped (the PR is closed or no longer opted in; see deploy-helm's notice)`);
    await post(service, 'skipped', { image, 'vault-url': vaultUrl });
    return { service, state: 'skipped', image, built };
  }
  const namespace = release.outputs.namespace || knownNamespace;
  const url = release.outputs.url ?? '';
  const failed = async (step: StepRun): Promise<ServiceOutcome> => {
    await post(service, 'failed', {
      image,
      url,
      namespace,
      'vault-url': vaultUrl,
      details: step.outputs.diagnostics || `${step.step} failed; see the run log.`,
    });
    return { service, state: 'failed', image, built, namespace, failedStep: step.step };
  };
  if (!release.ok) return failed(release);
  const ready = await group(`wait-ready (${service})`, () =>
    runStep(
      stepCall('wait-ready', {
        namespace: release.outputs.namespace ?? '',
        url,
        'basic-auth-secret': release.outputs['basic-auth-secret'] ?? '',
      }),
    ),
  );
  if (!ready.ok) return failed(ready);
  // Where the login is, never the login itself.
  const login = release.outputs['basic-auth-location']
    ? `🔑 Private preview: the login is in ${release.outputs['basic-auth-location']}.`
    : '';
  await post(service, 'ready', {
    image,
    url,
    namespace,
    'vault-url': vaultUrl,
    details: [login, ready.outputs['smoke-report'] ?? ''].filter(Boolean).join('\n\n'),
    cost: release.outputs.cost ?? '',
  });
  return { service, state: 'ready', image, built, namespace, url };
}

/**
 * Deploys each service in turn, then sets the outputs; fails when any service failed. `note` (an
 * approved fork deploy's terms) leads every status's details in the comment.
 */
export async function deploy(services: string[], note = ''): Promise<void> {
  const plan: DeployPlan = {
    prebuilt: input.string('image') !== '',
    useVault: (process.env[inputEnvName('vault-addr')] ?? '').trim() !== '',
  };
  if (!plan.useVault) log.info('vault-addr is empty: the secrets step is skipped (no per-PR Vault path)');
  await validateSteps(validationPlan(services, plan));

  let commentUrl = '';
  const post: PostStatus = async (service, state, extra = {}) => {
    const details = [note, extra.details ?? ''].filter(Boolean).join('\n\n');
    const r = await runStep(commentCall(service, state, { ...extra, details }));
    commentUrl = r.outputs['comment-url'] || commentUrl;
  };
  // max-previews is decided before any build or Vault work (issue 19 §3).
  await claimCapSlot().catch(async (err: unknown) => {
    for (const service of services) await post(service, 'failed', { details: errorText(err) });
    throw err;
  });
  const urls: Record<string, string> = {};
  const images: Record<string, string> = {};
  const built: Record<string, boolean> = {};
  const failed: string[] = [];
  let namespace = '';
  for (const service of services) {
    const outcome = await deployService(service, plan, post, namespace);
    if (outcome.image !== undefined) images[service] = outcome.image;
    if (outcome.built !== undefined) built[service] = outcome.built;
    namespace = outcome.namespace || namespace;
    if (outcome.state === 'ready') urls[service] = outcome.url ?? '';
    if (outcome.state === 'failed') failed.push(`${service}: ${outcome.failedStep}`);
  }

  setOutputs({
    lifecycle: 'deploy',
    url: urls[services[0]!] ?? '',
    urls: JSON.stringify(urls),
    images: JSON.stringify(images),
    built: JSON.stringify(built),
    namespace,
    'comment-url': commentUrl,
  });
  if (failed.length)
    throw new ActionError(`${failed.length} of ${services.length} service(s) failed: ${failed.join('; ')}`, {
      hint: 'The PR comment has the details of each failure.',
    });
}
