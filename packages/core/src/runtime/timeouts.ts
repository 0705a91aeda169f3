/**
 * The two timeout inputs every action that talks to the outside world shares, with one meaning:
 * `timeout` bounds the whole step (the job fails when it is up, naming who did not answer) and
 * `request-timeout` bounds one request to Vault, the Kubernetes API, ECR or GitHub.
 */
import { DURATION_BOUNDS, parseDuration } from './parse.js';

/** action.yml's default for `request-timeout`. */
export const DEFAULT_REQUEST_TIMEOUT = '30s';

/** `request-timeout`: 1 s to 10 min. */
export function parseRequestTimeout(raw: string): number {
  return parseDuration('request-timeout', raw, DURATION_BOUNDS.requestTimeout);
}

/** A step's `timeout`: 1 s to 6 h (GitHub's own job limit). */
export function parseStepTimeout(raw: string): number {
  return parseDuration('timeout', raw, DURATION_BOUNDS.stepTimeout);
}
