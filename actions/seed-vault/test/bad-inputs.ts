/** The bad-input cases (issue 6 lists ten; a few more guard the path planner). Shared by the table and runner tests. */
import type { BadInput as SharedBadInput } from '@preview-fleet/testkit/bad-input';
export interface BadInput extends SharedBadInput {
  /** Run without the OIDC request variables (a job lacking `id-token: write`). */
  noOidc?: boolean;
}

const approle = { 'auth-method': 'approle', 'role-id': 'r-1', 'secret-id': 's-1' };

export const BAD_INPUTS: BadInput[] = [
  { name: 'empty vault-addr', inputs: { ...approle, 'vault-addr': '' }, input: 'vault-addr', message: /is required/ },
  {
    name: 'vault-addr not a URL',
    inputs: { ...approle, 'vault-addr': 'vault.example.com' },
    input: 'vault-addr',
    message: /http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'unknown auth-method',
    inputs: { 'auth-method': 'kerberos' },
    input: 'auth-method',
    message: /jwt.*approle.*token/,
  },
  {
    name: 'jwt without id-token permission',
    inputs: { role: 'preview' },
    noOidc: true,
    input: 'auth-method',
    message: /id-token: write/,
  },
  {
    name: 'approle without secret-id',
    inputs: { ...approle, 'secret-id': '' },
    input: 'secret-id',
    message: /required with auth-method approle/,
  },
  {
    name: 'approle without role-id',
    inputs: { ...approle, 'role-id': '' },
    input: 'role-id',
    message: /required with auth-method approle/,
  },
  {
    name: 'target outside the prefix',
    inputs: { ...approle, 'target-path': 'stage/{{service}}-{{number}}' },
    input: 'target-path',
    message: /must lie under allowed-prefix "preview\/"/,
  },
  {
    name: 'target equal to source',
    inputs: { ...approle, 'source-path': 'preview/{{service}}-{{number}}' },
    input: 'target-path',
    message: /must differ from source-path/,
  },
  {
    name: 'traversal in service',
    inputs: { ...approle, service: '../../stage/app' },
    input: 'service',
    message: /one name, not a path/,
  },
  {
    name: 'malformed overrides line',
    inputs: { ...approle, overrides: 'GOOD=1\nthis line has no equals' },
    input: 'overrides',
    message: /KEY=value/,
  },
  {
    name: 'kv-version 3',
    inputs: { ...approle, 'kv-version': '3' },
    input: 'kv-version',
    message: /1, 2|"1".*"2"|one of/,
  },
  {
    name: 'leading / in target',
    inputs: { ...approle, 'target-path': '/preview/app-{{number}}' },
    input: 'target-path',
    message: /no leading "\/"/,
  },
  {
    name: 'empty segment in target',
    inputs: { ...approle, 'target-path': 'preview//app-{{number}}' },
    input: 'target-path',
    message: /segments/,
  },
  {
    name: 'unknown template variable',
    inputs: { ...approle, 'target-path': 'preview/{{nope}}' },
    input: 'target-path',
    message: /\{\{nope\}\} is not one of them/,
  },
  {
    name: 'empty allowed-prefix',
    inputs: { ...approle, 'allowed-prefix': '' },
    input: 'allowed-prefix',
    message: /empty prefix would allow writing anywhere/,
  },
  {
    name: "target inside the source's folder though allowed-prefix admits it",
    inputs: { ...approle, 'allowed-prefix': 'stage/', 'target-path': 'stage/{{service}}-{{number}}' },
    input: 'target-path',
    message: /must not lie inside the source's folder "stage\/"/,
  },
  {
    name: 'allowed-prefix stage/ and target stage/{{service}} (the source itself)',
    inputs: { ...approle, 'allowed-prefix': 'stage/', 'target-path': 'stage/{{service}}' },
    input: 'target-path',
    message: /must differ from source-path/,
  },
  {
    name: 'target named like a KV v1 marker entry',
    inputs: { ...approle, 'target-path': 'preview/{{service}}-{{number}}.preview-fleet-marks' },
    input: 'target-path',
    message: /preview-fleet-marks/,
  },
  {
    name: 'min-mask-length 0',
    inputs: { ...approle, 'min-mask-length': '0' },
    input: 'min-mask-length',
    message: /whole number from 1 to 256/,
  },
  { name: 'ttl unparsable', inputs: { ...approle, ttl: 'soon' }, input: 'ttl', message: /duration/ },
  {
    name: 'ttl beyond any Date (issue 14 item 11)',
    inputs: { ...approle, ttl: '300000000d' },
    input: 'ttl',
    message: /at most 90d/,
  },
];
