/** The bad-input cases of issue 5 (and a few more); shared by the parseInputs table and the runner tests. */
import type { BadInput as SharedBadInput } from '@preview-fleet/testkit/bad-input';
export interface BadInput extends SharedBadInput {
  /** Run as workflow_dispatch (no PR in the event). */
  dispatch?: boolean;
}

export const BAD_INPUTS: BadInput[] = [
  {
    name: 'unknown state',
    inputs: { state: 'done' },
    input: 'state',
    message:
      /must be one of "queued", "building", "deploying", "ready", "sleeping", "failed", "tearing-down", "destroyed", "skipped"/,
  },
  { name: 'empty state', inputs: { state: '' }, input: 'state', message: /is required/ },
  {
    name: 'unknown image-source',
    inputs: { state: 'deploying', 'image-source': 'cached' },
    input: 'image-source',
    message: /must be one of "built", "reused"/,
  },
  {
    name: 'url not http(s)',
    inputs: { state: 'deploying', url: 'ftp://app.example.com' },
    input: 'url',
    message: /http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'url javascript:',
    inputs: { state: 'deploying', url: 'javascript:alert(1)' },
    input: 'url',
    message: /http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'vault-url not a URL',
    inputs: { state: 'deploying', 'vault-url': 'vault/ui' },
    input: 'vault-url',
    message: /http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'log-url not a URL',
    inputs: { state: 'deploying', 'log-url': 'not a url' },
    input: 'log-url',
    message: /http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'non-numeric pr-number',
    inputs: { state: 'queued', 'pr-number': 'abc' },
    dispatch: true,
    input: 'pr-number',
    message: /whole number of at least 1/,
  },
  {
    name: 'pr-number 0',
    inputs: { state: 'queued', 'pr-number': '0' },
    dispatch: true,
    input: 'pr-number',
    message: /whole number of at least 1/,
  },
  {
    name: 'pr-number missing on workflow_dispatch',
    inputs: { state: 'queued' },
    dispatch: true,
    input: 'pr-number',
    message: /is required for the "workflow_dispatch" event/,
  },
  {
    name: 'ready without url while deployment is true',
    inputs: { state: 'ready' },
    input: 'url',
    message: /required with state "ready"/,
  },
  {
    name: 'deployment not a boolean',
    inputs: { state: 'queued', deployment: 'yes' },
    input: 'deployment',
    message: /YAML 1\.2 boolean/,
  },
  {
    name: 'fail-on-error not a boolean',
    inputs: { state: 'queued', 'fail-on-error': '1' },
    input: 'fail-on-error',
    message: /YAML 1\.2 boolean/,
  },
  {
    name: 'timeout unparsable',
    inputs: { state: 'queued', timeout: 'soon' },
    input: 'timeout',
    message: /duration like 90s, 5m/,
  },
  {
    name: 'request-timeout above 10m',
    inputs: { state: 'queued', 'request-timeout': '1h' },
    input: 'request-timeout',
    message: /at most 10m/,
  },
  {
    name: 'service with a slash',
    inputs: { state: 'queued', service: 'my/app' },
    input: 'service',
    message: /must be a service name/,
  },
  {
    name: 'unknown template variable in environment',
    inputs: { state: 'queued', environment: 'preview/{{nope}}-{{number}}' },
    input: 'environment',
    message: /\{\{nope\}\} is not one of them/,
  },
  {
    name: 'environment without {{number}} (every PR would share it)',
    inputs: { state: 'queued', environment: 'preview' },
    input: 'environment',
    message: /must contain \{\{number\}\}.*preview\/pr-\{\{number\}\}/,
  },
  {
    name: 'environment production',
    inputs: { state: 'destroyed', environment: 'production' },
    input: 'environment',
    message: /must contain \{\{number\}\}/,
  },
  {
    name: 'comment-author not a GitHub login',
    inputs: { state: 'queued', 'comment-author': 'anyone at all' },
    input: 'comment-author',
    message: /GitHub login.*github-actions\[bot\]/,
  },
  {
    name: 'comment-author empty',
    inputs: { state: 'queued', 'comment-author': ' ' },
    input: 'comment-author',
    message: /GitHub login/,
  },
  {
    name: 'empty github-token',
    inputs: { state: 'queued', 'github-token': '' },
    input: 'github-token',
    message: /is required/,
  },
];
