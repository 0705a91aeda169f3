/** Outputs, state, summaries, log groups and messages: nothing masked ever leaves through them. */
import { ActionError } from './errors.js';
import { maskSecret } from './inputs.js';
import { containsSecret, redact } from './secrets.js';
import { GITLAB_ID_TOKEN_ENV, onGitLabCi, toolkit } from './toolkit.js';

function guard(where: string, value: string): string {
  if (containsSecret(value)) {
    throw new ActionError(`Refusing to write a masked secret value to ${where}`, {
      hint: 'This is a bug in preview-fleet: secrets must never reach outputs, state or summaries.',
    });
  }
  return value;
}

export function setOutput(name: string, value: string | number | boolean): void {
  toolkit.setOutput(name, guard(`output "${name}"`, String(value)));
}

export function setOutputs(values: Record<string, string | number | boolean | undefined>): void {
  for (const [name, value] of Object.entries(values)) if (value !== undefined) setOutput(name, value);
}

/** Appends markdown to the job summary. */
export async function writeSummary(markdown: string): Promise<void> {
  await toolkit.appendSummary(guard('the step summary', markdown));
}

/** Log lines, redacted of every masked value. */
export const log = {
  info: (message: string): void => toolkit.info(redact(message)),
  debug: (message: string): void => toolkit.debug(redact(message)),
  notice: (message: string, title?: string): void => toolkit.notice(redact(message), title),
  warning: (message: string, title?: string): void => toolkit.warning(redact(message), title),
  isDebug: (): boolean => toolkit.isDebug(),
};

/** Runs `fn` inside a collapsible log group that is closed even when `fn` throws. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  toolkit.startGroup(redact(name));
  try {
    return await fn();
  } finally {
    toolkit.endGroup();
  }
}

/** The runner's OIDC token for `audience`, masked at once. */
export async function requestIdToken(audience: string): Promise<string> {
  if (onGitLabCi()) {
    // GitLab: the job's `id_tokens:` entry (its `aud` is set there) arrives as a variable.
    const jwt = (process.env[GITLAB_ID_TOKEN_ENV] ?? '').trim();
    if (!jwt)
      throw new ActionError(`No OIDC token is available to this GitLab job (${GITLAB_ID_TOKEN_ENV} is not set)`, {
        hint: `Add "id_tokens: ${GITLAB_ID_TOKEN_ENV}: aud: ${audience}" to the job (see workflows-examples/gitlab/.gitlab-ci.yml).`,
      });
    maskSecret(jwt);
    return jwt;
  }
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new ActionError('No OIDC token is available to this job (ACTIONS_ID_TOKEN_REQUEST_URL is not set)', {
      hint: 'Add "permissions: id-token: write" to the job (fork pull requests never get one).',
    });
  }
  const token = await toolkit.getIdToken(audience);
  maskSecret(token);
  return token;
}
