/**
 * The one module in the repository that imports `@actions/core` (house rule: everything else goes
 * through the runtime's typed functions, so masking, redaction and the single error exit hold).
 */
import * as actionsCore from '@actions/core';

export const toolkit = {
  getInput: (name: string): string => actionsCore.getInput(name, { trimWhitespace: false }),
  setSecret: (value: string): void => actionsCore.setSecret(value),
  setOutput: (name: string, value: string): void => actionsCore.setOutput(name, value),
  info: (message: string): void => actionsCore.info(message),
  debug: (message: string): void => actionsCore.debug(message),
  notice: (message: string, title?: string): void => actionsCore.notice(message, title ? { title } : {}),
  warning: (message: string, title?: string): void => actionsCore.warning(message, title ? { title } : {}),
  error: (message: string, title?: string): void => actionsCore.error(message, title ? { title } : {}),
  startGroup: (name: string): void => actionsCore.startGroup(name),
  endGroup: (): void => actionsCore.endGroup(),
  isDebug: (): boolean => actionsCore.isDebug(),
  /** Appends markdown to the job summary file (GITHUB_STEP_SUMMARY). */
  appendSummary: async (markdown: string): Promise<void> => {
    await actionsCore.summary.addRaw(markdown, true).write();
  },
  /** The runner's OIDC token for `audience` (needs `permissions: id-token: write`). */
  getIdToken: (audience: string): Promise<string> => actionsCore.getIDToken(audience),
  /** Only `runAction` may call this: one error exit, printed once. */
  setFailed: (message: string): void => actionsCore.setFailed(message),
};
