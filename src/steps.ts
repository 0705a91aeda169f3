/**
 * Running the seven actions' bundles as steps of the all-in-one action: which inputs each step
 * gets, checking every step's inputs before any acts, and running one step.
 */
import { fileURLToPath } from 'node:url';
import {
  ActionError,
  VALIDATE_INPUTS_ENV,
  VALIDATE_ONLY_ENV,
  formatDuration,
  input,
  log,
  parseStepTimeout,
} from '@preview-fleet/core';
import { inputEnvName, runBundledStep, type BufferedStepResult } from '@preview-fleet/core/lifecycle';
import stepsJson from './steps.generated.json' with { type: 'json' };

/** step → its input → the all-in-one input it is read from (null: computed here per step). */
const STEP_INPUTS: Record<string, Record<string, string | null>> = stepsJson;

/** One step to run: the action, and the inputs this orchestrator computes for it from earlier steps. */
export interface StepCall {
  /** An action folder under actions/, or `given-image` (the `image` input standing in for build-push). */
  step: string;
  computed: Record<string, string>;
}

/** A step's call, for readable call sites. */
export function stepCall(step: string, computed: Record<string, string> = {}): StepCall {
  return { step, computed };
}

export interface StepRun extends BufferedStepResult {
  step: string;
  ok: boolean;
  /** Wall time of the step's process, start to exit. */
  ms: number;
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
    out[name] = computed[name] ?? (from === null ? '' : (process.env[inputEnvName(from)] ?? ''));
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

/** Runs one step's bundle; `buffer` collects its log (steps side by side), `validateOnly` only parses inputs. */
export async function runStep(
  call: StepCall,
  options: { buffer?: boolean; validateOnly?: boolean; validateAlso?: Array<Record<string, string>> } = {},
): Promise<StepRun> {
  if (call.step === 'given-image') return givenImage();
  const started = performance.now();
  const env = stepEnv(
    options.validateOnly
      ? { [VALIDATE_ONLY_ENV]: 'true', [VALIDATE_INPUTS_ENV]: JSON.stringify([{}, ...(options.validateAlso ?? [])]) }
      : {},
  );
  const inputs = stepInputs(call.step, call.computed);
  const killAfterMs = options.validateOnly ? undefined : stepKillAfterMs(inputs);
  const result = await runBundledStep(stepMain(call.step), inputs, { env, buffer: options.buffer, killAfterMs });
  if (result.stopped) {
    log.warning(
      `${call.step} was still running ${formatDuration(killAfterMs!)} after it started (its timeout ${inputs.timeout} plus ${formatDuration(STEP_KILL_MARGIN_MS)}) and was stopped`,
    );
  }
  return { ...result, step: call.step, ok: result.exitCode === 0, ms: Math.round(performance.now() - started) };
}

/** The `image` input stands in for build-push's outputs. */
function givenImage(): StepRun {
  const image = input.string('image');
  return {
    step: 'given-image',
    ok: true,
    ms: 0,
    exitCode: 0,
    log: `Deploying the given image ${image}; build-push skipped\n`,
    outputs: { image, built: 'false' },
  };
}

/**
 * Checks every step's inputs before any step acts, so a bad input for a late step (deploy-helm)
 * fails the job before an early one (seed-vault) creates anything.
 */
export async function validateSteps(plan: StepCall[]): Promise<void> {
  // One process per step checks it for every service: each further call's computed inputs are an overlay.
  const byStep = new Map<string, StepCall[]>();
  for (const c of plan) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);
  const started = performance.now();
  const results = await Promise.all(
    [...byStep.values()].map(([first, ...rest]) =>
      runStep(first!, { buffer: true, validateOnly: true, validateAlso: rest.map((c) => c.computed) }),
    ),
  );
  log.info(
    `inputs checked by ${byStep.size} step process(es) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
  const bad = results.filter((r) => !r.ok);
  for (const r of bad) process.stdout.write(r.log);
  if (bad.length) {
    throw new ActionError(
      `inputs rejected by ${[...new Set(bad.map((r) => r.step))].join(', ')}; nothing was created or deleted`,
      {
        hint: 'The errors above name each input, its value and what is accepted.',
      },
    );
  }
}
