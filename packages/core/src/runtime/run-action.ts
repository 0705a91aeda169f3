import { errorText } from './errors.js';
import { redact } from './secrets.js';
import { toolkit } from './toolkit.js';

/**
 * The single error exit of every action (docker/actions-toolkit's `run`): whatever `main` throws
 * is printed once, redacted, with its hint, and fails the step. Nothing else calls setFailed.
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    let text = errorText(err);
    const cause = err instanceof Error ? err.cause : undefined;
    if (cause !== undefined && toolkit.isDebug()) text += `\nCaused by: ${errorText(cause)}`;
    toolkit.setFailed(redact(text));
  }
}
