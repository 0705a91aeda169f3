/**
 * The all-in-one action: routes the event to a lifecycle and runs the seven actions' own bundles
 * as steps (core's runBundledStep), exactly as a workflow wiring them by hand would. Inputs are
 * the steps' inputs (generated into action.yml); each step gets the ones it declares, plus the
 * ones this orchestrator computes from earlier steps' outputs.
 */
import { fileURLToPath } from 'node:url';
import {
  ActionError, VALIDATE_ONLY_ENV, forkHeadAllowed, formatDuration, group, input, loadContext, log, parseStepTimeout, planService, setOutputs,
} from '@preview-fleet/core';
import { inputEnvName, runBundledStep, type BufferedStepResult } from '@preview-fleet/core/lifecycle';
import stepsJson from './steps.generated.json' with { type: 'json' };
import { MODES, route } from './route.js';

/** step → its input → the all-in-one input it is read from (null: computed here per step). */
const STEP_INPUTS: Record<string, Record<string, string | null>> = stepsJson;

export interface StepRun extends BufferedStepResult {
  step: string;
  ok: boolean;
}

/** The bundle of a step: `<action root>/actions/<step>/dist/index.js`, beside this one's dist/. */
export function stepMain(step: string): string {
  return fileURLToPath(new URL(`../actions/${step}/dist/index.js`, import.meta.url));
}

/** The environment a step sees: ours without our INPUT_* (it gets exactly its own inputs). */
function stepEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('INPUT_')) env[k] = v;
  return { ...env, ...extra };
}

/** A step's inputs: each one it declares, from ours (same name, same meaning) or computed. */
export function stepInputs(step: string, computed: Record<string, string> = {}): Record<string, string> {
  const declared = STEP_INPUTS[step];
  if (!declared) throw new ActionError(`this build of the all-in-one action has no step "${step}"`);
  const out: Record<string, string> = {};
  for (const [name, from] of Object.entries(declared)) {
    out[name] = computed[name] ?? (from === null ? '' : process.env[inputEnvName(from)] ?? '');
  }
  return out;
}

/** How long past its own `timeout` a step may run before the all-in-one action kills it. */
export const STEP_KILL_MARGIN_MS = 60_000;

/**
 * The orchestrator's backstop for a step: its `timeout` input (each step ends itself when that is
 * up, naming who did not answer) plus a margin; undefined when the step has no timeout.
 */
export function stepKillAfterMs(inputs: Record<string, string>): number | undefined {
  const raw = inputs.timeout?.trim();
  if (!raw) return undefined;
  return parseStepTimeout(raw) + STEP_KILL_MARGIN_MS;
}

async function runStep(step: string, computed: Record<string, string>, options: { buffer?: boolean; validateOnly?: boolean } = {}): Promise<StepRun> {
  const env = stepEnv(options.validateOnly ? { [VALIDATE_ONLY_ENV]: 'true' } : {});
  const inputs = stepInputs(step, computed);
  const killAfterMs = options.validateOnly ? undefined : stepKillAfterMs(inputs);
  const result = await runBundledStep(stepMain(step), inputs, { env, buffer: options.buffer, killAfterMs });
  if (result.stopped) {
    log.warning(`${step} was still running ${formatDuration(killAfterMs!)} after it started (its timeout ${inputs.timeout} plus ${formatDuration(STEP_KILL_MARGIN_MS)}) and was stopped`);
  }
  return { ...result, step, ok: result.exitCode === 0 };
}

/** The `image` input stands in for build-push's outputs. */
async function givenImage(): Promise<StepRun> {
  const image = input.string('image');
  return { step: 'given-image', ok: true, exitCode: 0, log: `Deploying the given image ${image}; build-push skipped\n`, outputs: { image, built: 'false' } };
}

/** Runs steps concurrently with their logs collected, then prints each whole, in order. */
async function parallel(runs: Array<[string, Record<string, string>]>): Promise<StepRun[]> {
  const results = await Promise.all(runs.map(([step, computed]) => step === 'given-image' ? givenImage() : runStep(step, computed, { buffer: true })));
  for (const r of results) await group(`${r.step} (${r.ok ? 'ok' : `failed, exit ${r.exitCode}`})`, async () => { process.stdout.write(r.log); });
  return results;
}

/**
 * Checks every step's inputs before any step acts, so a bad input for a late step (deploy-helm)
 * fails the job before an early one (seed-vault) creates anything.
 */
async function validateSteps(plan: Array<[string, Record<string, string>]>): Promise<void> {
  const results = await Promise.all(plan.map(([step, computed]) => runStep(step, computed, { buffer: true, validateOnly: true })));
  const bad = results.filter((r) => !r.ok);
  for (const r of bad) process.stdout.write(r.log);
  if (bad.length) {
    throw new ActionError(`inputs rejected by ${[...new Set(bad.map((r) => r.step))].join(', ')}; nothing was created or deleted`, {
      hint: 'The errors above name each input, its value and what is accepted.',
    });
  }
}

const comment = (service: string, state: string, extra: Record<string, string> = {}) =>
  ['comment-status', { service, state, url: '', namespace: '', image: '', 'vault-url': '', details: '', ...extra }] as [string, Record<string, string>];

/** Placeholders for values only earlier steps can produce, used when checking inputs alone. */
const VALIDATION_PLACEHOLDERS = { namespace: 'preview-pr-0', url: '', image: '' };

async function deploy(services: string[]): Promise<void> {
  const prebuilt = input.string('image') !== '';
  const useVault = (process.env[inputEnvName('vault-addr')] ?? '').trim() !== '';
  if (!useVault) log.info('vault-addr is empty: the secrets step is skipped (no per-PR Vault path)');
  await validateSteps(services.flatMap((service) => [
    comment(service, 'building'),
    ...(useVault ? [['seed-vault', { service }] as [string, Record<string, string>]] : []),
    ...(prebuilt ? [] : [['build-push', { service }] as [string, Record<string, string>]]),
    ['deploy-helm', { service, image: VALIDATION_PLACEHOLDERS.image }] as [string, Record<string, string>],
    ['wait-ready', { namespace: VALIDATION_PLACEHOLDERS.namespace, url: VALIDATION_PLACEHOLDERS.url }] as [string, Record<string, string>],
  ]));

  const urls: Record<string, string> = {};
  const images: Record<string, string> = {};
  const built: Record<string, boolean> = {};
  const failed: string[] = [];
  let namespace = '';
  let commentUrl = '';
  const post = async (service: string, state: string, extra: Record<string, string> = {}) => {
    const [step, computed] = comment(service, state, extra);
    const r = await runStep(step, computed);
    commentUrl = r.outputs['comment-url'] || commentUrl;
  };

  for (const service of services) {
    await post(service, 'building');
    const [build, secrets] = await parallel([
      prebuilt ? ['given-image', {}] : ['build-push', { service }],
      ...(useVault ? [['seed-vault', { service }] as [string, Record<string, string>]] : []),
    ]);
    const vaultUrl = secrets?.outputs['vault-ui-url'] ?? '';
    if (!build!.ok || (secrets && !secrets.ok)) {
      const which = [build!, secrets].filter((r): r is StepRun => !!r && !r.ok).map((r) => r.step).join(' and ');
      await post(service, 'failed', { 'vault-url': vaultUrl, details: `${which} failed; see the run log.` });
      failed.push(`${service}: ${which}`);
      continue;
    }
    const image = build!.outputs.image ?? '';
    images[service] = image;
    built[service] = build!.outputs.built === 'true';
    await post(service, 'deploying', { image, 'vault-url': vaultUrl });

    const release = await group(`deploy-helm (${service})`, () => runStep('deploy-helm', { service, image }));
    if (release.outputs.status === 'skipped') {
      log.info(`${service}: deploy skipped (the PR is closed or no longer opted in; see deploy-helm's notice)`);
      await post(service, 'skipped', { image, 'vault-url': vaultUrl });
      continue;
    }
    namespace = release.outputs.namespace || namespace;
    const url = release.outputs.url ?? '';
    if (!release.ok) {
      await post(service, 'failed', { image, url, namespace, 'vault-url': vaultUrl, details: release.outputs.diagnostics || 'deploy-helm failed; see the run log.' });
      failed.push(`${service}: deploy-helm`);
      continue;
    }
    const ready = await group(`wait-ready (${service})`, () => runStep('wait-ready', { namespace: release.outputs.namespace ?? '', url }));
    if (!ready.ok) {
      await post(service, 'failed', { image, url, namespace, 'vault-url': vaultUrl, details: ready.outputs.diagnostics || 'wait-ready failed; see the run log.' });
      failed.push(`${service}: wait-ready`);
      continue;
    }
    urls[service] = url;
    await post(service, 'ready', { image, url, namespace, 'vault-url': vaultUrl, details: ready.outputs['smoke-report'] ?? '' });
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
  if (failed.length) throw new ActionError(`${failed.length} of ${services.length} service(s) failed: ${failed.join('; ')}`, { hint: 'The PR comment has the details of each failure.' });
}

async function single(lifecycle: 'teardown' | 'reap'): Promise<void> {
  const step = lifecycle === 'teardown' ? 'teardown' : 'reap-orphans';
  await validateSteps([[step, {}]]);
  const r = await runStep(step, {});
  setOutputs({ lifecycle, report: r.outputs.report ?? r.outputs.plan ?? '', 'comment-url': r.outputs['comment-url'] ?? '' });
  if (!r.ok) throw new ActionError(`${step} failed (exit ${r.exitCode})`, { hint: 'Its report above says which resource failed and why.' });
}

export function prepare() {
  const mode = input.enum('mode', MODES);
  const label = input.string('label', { required: true });
  // Each step normalises its service the same way; doing it here keeps the comment's rows and outputs keyed alike.
  const services = [...new Set(input.list('services', { required: true }).map((s) => planService('services', s)))];
  const ctx = loadContext(input.optional('pr-number') ?? '');
  return { mode, label, services, ctx, route: route(ctx, mode, label, forkHeadAllowed()) };
}

export async function main(): Promise<void> {
  const { services, route: r } = prepare();
  log.info(`lifecycle: ${r.lifecycle} (${r.reason})`);
  if (r.lifecycle === 'refuse') {
    setOutputs({ lifecycle: 'refused' });
    throw new ActionError(r.reason, { hint: 'Nothing was built, deployed, created or commented.' });
  }
  if (r.lifecycle === 'skip') {
    setOutputs({ lifecycle: 'skipped' });
    return;
  }
  if (r.lifecycle === 'deploy') return deploy(services);
  return single(r.lifecycle);
}
