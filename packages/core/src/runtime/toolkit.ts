/**
 * The one module in the repository that imports `@actions/core` (house rule: everything else goes
 * through the runtime's typed functions, so masking, redaction and the single error exit hold).
 *
 * Run by the CLI in a GitLab CI job (`GITLAB_CI=true`, not inside GitHub Actions), the runner's
 * workflow commands mean nothing: `::add-mask::<value>` would print the secret itself, so masking
 * is only our own redaction (GitLab masks its masked CI/CD variables); annotations become plain
 * `warning:` lines; there is no step summary; the OIDC token is the job's `id_tokens:` variable.
 */
import * as actionsCore from '@actions/core';

/** True inside a GitLab CI job (and not inside GitHub Actions). */
export function onGitLabCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITLAB_CI === 'true' && env.GITHUB_ACTIONS !== 'true';
}

/** The variable a GitLab job's `id_tokens:` entry for Vault (and AWS) is read from. */
export const GITLAB_ID_TOKEN_ENV = 'PREVIEW_FLEET_ID_TOKEN';

const plain = (kind: string, message: string, title?: string): void => {
  process.stdout.write(`${kind}: ${title ? `${title}: ` : ''}${message}\n`);
};

export const toolkit = {
  getInput: (name: string): string => actionsCore.getInput(name, { trimWhitespace: false }),
  setSecret: (value: string): void => {
    if (!onGitLabCi()) actionsCore.setSecret(value);
  },
  setOutput: (name: string, value: string): void => actionsCore.setOutput(name, value),
  info: (message: string): void => actionsCore.info(message),
  debug: (message: string): void => actionsCore.debug(message),
  notice: (message: string, title?: string): void =>
    onGitLabCi() ? plain('notice', message, title) : actionsCore.notice(message, title ? { title } : {}),
  warning: (message: string, title?: string): void =>
    onGitLabCi() ? plain('warning', message, title) : actionsCore.warning(message, title ? { title } : {}),
  error: (message: string, title?: string): void =>
    onGitLabCi() ? plain('error', message, title) : actionsCore.error(message, title ? { title } : {}),
  startGroup: (name: string): void => (onGitLabCi() ? actionsCore.info(`── ${name}`) : actionsCore.startGroup(name)),
  endGroup: (): void => {
    if (!onGitLabCi()) actionsCore.endGroup();
  },
  isDebug: (): boolean => actionsCore.isDebug(),
  /** Appends markdown to the job summary file (GITHUB_STEP_SUMMARY); GitLab jobs have none. */
  appendSummary: async (markdown: string): Promise<void> => {
    if (onGitLabCi() && !process.env.GITHUB_STEP_SUMMARY) return;
    await actionsCore.summary.addRaw(markdown, true).write();
  },
  /** The runner's OIDC token for `audience` (needs `permissions: id-token: write`); on GitLab the `id_tokens:` variable. */
  getIdToken: async (audience: string): Promise<string> =>
    onGitLabCi() ? (process.env[GITLAB_ID_TOKEN_ENV] ?? '') : actionsCore.getIDToken(audience),
  /** Only `runAction` may call this: one error exit, printed once. */
  setFailed: (message: string): void => {
    if (onGitLabCi()) {
      process.exitCode = 1;
      process.stderr.write(`error: ${message}\n`);
      return;
    }
    actionsCore.setFailed(message);
  },
};
