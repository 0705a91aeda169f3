/** teardown's bad-input cases (issue 9 plus the guards of the name planner); shared by the table and runner tests. */
import type { BadInput as SharedBadInput } from '@preview-fleet/testkit/bad-input';
export interface BadInput extends SharedBadInput {
  /** Run as workflow_dispatch (no PR in the payload). */
  dispatch?: boolean;
}

/** Inputs that make the Vault and ECR steps valid without OIDC (token auth, a region). */
export const VALID = {
  'auth-method': 'token',
  token: 'hvs.teardown-test-token',
  'vault-addr': 'http://127.0.0.1:8200',
  'aws-region': 'us-east-1',
};

export const BAD_INPUTS: BadInput[] = [
  {
    name: 'pr-number missing on workflow_dispatch',
    inputs: VALID,
    dispatch: true,
    input: 'pr-number',
    message: /is required for the "workflow_dispatch" event/,
  },
  {
    name: 'pr-number not a number',
    inputs: { ...VALID, 'pr-number': 'twelve' },
    input: 'pr-number',
    message: /whole number/,
  },
  {
    name: 'timeout unparsable',
    inputs: { ...VALID, timeout: 'soon' },
    input: 'timeout',
    message: /duration like 90s, 5m/,
  },
  { name: 'timeout without a unit', inputs: { ...VALID, timeout: '300' }, input: 'timeout', message: /Add a unit/ },
  {
    name: 'namespace template renders kube-system',
    inputs: { ...VALID, namespace: 'kube-system' },
    input: 'namespace',
    message: /must not name a system namespace/,
  },
  {
    name: 'namespace template renders default',
    inputs: { ...VALID, namespace: 'default' },
    input: 'namespace',
    message: /must not name a system namespace/,
  },
  {
    name: 'unknown template variable',
    inputs: { ...VALID, release: '{{service}}-{{pr}}' },
    input: 'release',
    message: /\{\{pr\}\} is not one of them/,
  },
  {
    name: 'target-path outside allowed-prefix',
    inputs: { ...VALID, 'target-path': 'stage/{{service}}' },
    input: 'target-path',
    message: /allowed-prefix "preview\/"/,
  },
  {
    name: 'delete-vault-path not a boolean',
    inputs: { ...VALID, 'delete-vault-path': 'yes' },
    input: 'delete-vault-path',
    message: /YAML 1.2 boolean/,
  },
  {
    name: 'vault-addr missing while deleting the Vault path',
    inputs: { ...VALID, 'vault-addr': '' },
    input: 'vault-addr',
    message: /required while delete-vault-path is true/,
  },
  {
    name: 'unknown auth-method',
    inputs: { ...VALID, 'auth-method': 'kerberos' },
    input: 'auth-method',
    message: /"jwt", "approle", "token"/,
  },
  { name: 'empty services', inputs: { ...VALID, services: ' , ' }, input: 'services', message: /at least one service/ },
  {
    name: 'service with traversal',
    inputs: { ...VALID, services: '../stage' },
    input: 'services',
    message: /must be a service name.*not a path/,
  },
  { name: 'kv-version 3', inputs: { ...VALID, 'kv-version': '3' }, input: 'kv-version', message: /"1", "2"/ },
  { name: 'timeout above 6h', inputs: { ...VALID, timeout: '300000000d' }, input: 'timeout', message: /at most 6h/ },
  {
    name: "environment without {{number}} (one PR's teardown would reach every PR's deployments)",
    inputs: { ...VALID, environment: 'preview' },
    input: 'environment',
    message: /must contain \{\{number\}\}/,
  },
  {
    name: 'environment production',
    inputs: { ...VALID, environment: 'production' },
    input: 'environment',
    message: /must contain \{\{number\}\}/,
  },
  {
    name: 'comment-author not a GitHub login',
    inputs: { ...VALID, 'comment-author': 'who?' },
    input: 'comment-author',
    message: /GitHub login/,
  },
];
