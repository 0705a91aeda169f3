import { killChildren, onStepTimeout, type StepTimeoutError } from './deadline.js';
import { errorText } from './errors.js';
import { redact } from './secrets.js';
import { toolkit } from './toolkit.js';

/**
 * Set by the all-in-one action when it checks every step's inputs before any step runs, so a
 * bad input in a late step (deploy-helm) fails the job before an early one (seed-vault) creates
 * anything. In that mode an action runs only its `validate` (input parsing) and exits.
 */
export const VALIDATE_ONLY_ENV = 'PREVIEW_FLEET_VALIDATE_ONLY';

/**
 * With VALIDATE_ONLY_ENV: a JSON array of input overlays (`{ "service": "api" }`), each checked in
 * turn on top of the step's own inputs, so one process checks a step for every service of a PR.
 */
export const VALIDATE_INPUTS_ENV = 'PREVIEW_FLEET_VALIDATE_INPUTS';

/** The runner's env-var name for an input: upper case, spaces to `_`, dashes kept. */
function inputEnv(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

async function validateEach(validate: () => unknown): Promise<void> {
  const raw = process.env[VALIDATE_INPUTS_ENV];
  const overlays = raw ? (JSON.parse(raw) as Array<Record<string, string>>) : [{}];
  for (const overlay of overlays) {
    for (const [name, value] of Object.entries(overlay)) process.env[inputEnv(name)] = value;
    await validate();
  }
}

export interface RunActionOptions {
  /** Parses and checks the inputs without side effects (the action's parseInputs). */
  validate?: () => unknown;
  /**
   * Ends the process once the step has failed — by an error or by the step deadline
   * (`setStepTimeout`) expiring — after the failure is printed and child processes are killed
   * (default `process.exit`): work still in flight or a socket that never answers must not keep
   * the step alive.
   */
  exit?: (code: number) => void;
}

/**
 * The single error exit of every action (docker/actions-toolkit's `run`): whatever `main` throws
 * is printed once, redacted, with its hint, and fails the step. Nothing else calls setFailed.
 * When the step deadline expires first, the step fails naming what it was waiting on.
 */
export async function runAction(main: () => Promise<void>, options: RunActionOptions = {}): Promise<void> {
  let expired: (err: StepTimeoutError) => void = () => undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    expired = reject;
  });
  timedOut.catch(() => undefined);
  const disarm = onStepTimeout((err) => expired(err));
  try {
    if (process.env[VALIDATE_ONLY_ENV] === 'true') {
      if (!options.validate) throw new Error(`this action cannot check its inputs alone (${VALIDATE_ONLY_ENV})`);
      await validateEach(options.validate);
      return;
    }
    await Promise.race([main(), timedOut]);
  } catch (err) {
    let text = errorText(err);
    const cause = err instanceof Error ? err.cause : undefined;
    if (cause !== undefined && toolkit.isDebug()) text += `\nCaused by: ${errorText(cause)}`;
    toolkit.setFailed(redact(text));
    // The step is over: whatever `main` left running (the other reads of a Promise.all that
    // failed, a kubectl retrying against a silent API) must neither outlive it nor hold the
    // process open past its timeout. Children are killed and the process ends now.
    killChildren();
    (options.exit ?? ((code: number) => process.exit(code)))(1);
  } finally {
    disarm();
  }
}
