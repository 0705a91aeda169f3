export { InputError, ActionError, errorText } from './errors.js';
export {
  parseBoolean, parseDuration, parseEnum, parseInteger, parseKeyValueMap, parseList, parseUrl,
  parsePrNumber, formatDuration,
} from './parse.js';
export { input, maskSecret, readInputs, type ReadOptions } from './inputs.js';
export { setOutput, setOutputs, saveState, getState, writeSummary, log, group, requestIdToken } from './outputs.js';
export { runAction, VALIDATE_ONLY_ENV, type RunActionOptions } from './run-action.js';
export {
  setStepTimeout, waitingOn, trackChild, killChildren, remainingMs, withinDeadline, StepTimeoutError,
} from './deadline.js';
export { DEFAULT_REQUEST_TIMEOUT, parseRequestTimeout, parseStepTimeout } from './timeouts.js';
export { redact, containsSecret, rememberSecret, forgetSecrets } from './secrets.js';
