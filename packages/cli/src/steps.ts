/**
 * The CLI runs each action's step exactly as the all-in-one action does (core's runBundledStep: a
 * child process with `INPUT_*`, its own output file), but the child is this same bundle, told
 * which action to be by `PREVIEW_FLEET_CLI_STEP`: one file carries all seven.
 */
import { ActionError, VALIDATE_ONLY_ENV, log, runAction } from '@preview-fleet/core';
import { runBundledStep, type BufferedStepResult } from '@preview-fleet/core/lifecycle';
import * as buildPush from '@preview-fleet/action-build-push/main';
import * as deployHelm from '@preview-fleet/action-deploy-helm/main';
import * as reapOrphans from '@preview-fleet/action-reap-orphans/main';
import * as seedVault from '@preview-fleet/action-seed-vault/main';
import * as teardown from '@preview-fleet/action-teardown/main';
import * as waitReady from '@preview-fleet/action-wait-ready/main';
import stepsJson from './steps.generated.json' with { type: 'json' };

export const STEP_ENV = 'PREVIEW_FLEET_CLI_STEP';

const ACTIONS: Record<string, { main: () => Promise<void>; validate: () => unknown }> = {
  'build-push': buildPush,
  'deploy-helm': deployHelm,
  'reap-orphans': reapOrphans,
  'seed-vault': seedVault,
  teardown,
  'wait-ready': waitReady,
};

/** Which inputs each step declares, and from which setting (null: computed by the orchestrator). */
const STEP_INPUTS: Record<string, Record<string, string | null>> = stepsJson;

/** In a child: runs the named action as its own bundle would (`runAction`, the one error exit). */
export async function runStepInProcess(step: string): Promise<void> {
  const action = ACTIONS[step];
  if (!action) throw new Error(`no step "${step}" in this build of the CLI`);
  await runAction(action.main, { validate: action.validate });
}

export interface StepRun extends BufferedStepResult {
  step: string;
  ok: boolean;
}

/** A step's inputs: each one it declares, from the settings (same name) or computed. */
export function stepInputs(
  step: string,
  settings: Record<string, string>,
  computed: Record<string, string> = {},
): Record<string, string> {
  const declared = STEP_INPUTS[step];
  if (!declared) throw new ActionError(`the CLI has no step "${step}"`);
  const out: Record<string, string> = {};
  for (const [name, from] of Object.entries(declared))
    out[name] = computed[name] ?? (from === null ? '' : (settings[from] ?? ''));
  return out;
}

export interface StepRunner {
  run(
    step: string,
    computed?: Record<string, string>,
    o?: { validateOnly?: boolean; buffer?: boolean },
  ): Promise<StepRun>;
}

/** Runs steps as children of `self` (this bundle) with the job's environment `env` and the settings. */
export function stepRunner(self: string, env: NodeJS.ProcessEnv, settings: Record<string, string>): StepRunner {
  return {
    async run(step, computed = {}, o = {}) {
      const childEnv: NodeJS.ProcessEnv = { [STEP_ENV]: step };
      for (const [k, v] of Object.entries(env)) if (!k.startsWith('INPUT_')) childEnv[k] = v;
      if (o.validateOnly) childEnv[VALIDATE_ONLY_ENV] = 'true';
      const r = await runBundledStep(self, stepInputs(step, settings, computed), { env: childEnv, buffer: o.buffer });
      return { ...r, step, ok: r.exitCode === 0 };
    },
  };
}

/** Checks every step's inputs before any step acts (as the all-in-one's validateSteps). */
export async function validateSteps(runner: StepRunner, calls: Array<[string, Record<string, string>]>): Promise<void> {
  const results = await Promise.all(calls.map(([s, c]) => runner.run(s, c, { validateOnly: true, buffer: true })));
  const bad = results.filter((r) => !r.ok);
  for (const r of bad) process.stdout.write(r.log);
  if (bad.length)
    throw new ActionError(
      `inputs rejected by ${[...new Set(bad.map((r) => r.step))].join(', ')}; nothing was created or deleted`,
      { hint: 'The errors above name each input, its value and what is accepted.' },
    );
  log.info(`inputs checked: ${[...new Set(calls.map(([s]) => s))].join(', ')}`);
}
