export { InputError, ActionError, errorText } from './errors.js';
export {
  parseBoolean,
  parseDuration,
  parseEnum,
  parseInteger,
  parseKeyValueMap,
  parseList,
  parseUrl,
  parsePrNumber,
  optional,
  requireText,
  parseGitHubToken,
  GITHUB_TOKEN_DEFAULT,
  formatDuration,
  DURATION_BOUNDS,
  DURATION_MAX_MS,
  type DurationBounds,
} from './parse.js';
export { input, maskSecret, readInputs, shortValueNotice, type ReadOptions } from './inputs.js';
export { setOutput, setOutputs, writeSummary, log, group, requestIdToken } from './outputs.js';
export { runAction, VALIDATE_INPUTS_ENV, VALIDATE_ONLY_ENV, type RunActionOptions } from './run-action.js';
export { summaryTable, tableCell, type TableCell } from './summary.js';
export {
  redact,
  containsSecret,
  rememberSecret,
  forgetSecrets,
  setMinMaskLength,
  getMinMaskLength,
  DEFAULT_MIN_MASK_LENGTH,
  REFUSE_MIN_LENGTH,
  type RememberResult,
} from './secrets.js';
export {
  setStepTimeout,
  waitingOn,
  trackChild,
  killChildren,
  remainingMs,
  withinDeadline,
  StepTimeoutError,
} from './deadline.js';
export { DEFAULT_REQUEST_TIMEOUT, parseRequestTimeout, parseStepTimeout } from './timeouts.js';
export { onGitLabCi, GITLAB_ID_TOKEN_ENV } from './toolkit.js';
