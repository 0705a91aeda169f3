/** reap-orphans' bad-input cases (issue 9's list and a few more); shared by the table and runner tests. */
import type { BadInput as SharedBadInput } from '@preview-fleet/testkit/bad-input';
export type BadInput = SharedBadInput;

/** Only Kubernetes and GitHub: no Vault or region needed. */
export const KUBE_ONLY = { kinds: 'namespaces,releases,deployments' };

export const BAD_INPUTS: BadInput[] = [
  {
    name: 'ttl unparsable',
    inputs: { ...KUBE_ONLY, ttl: 'three days' },
    input: 'ttl',
    message: /duration like 90s, 5m/,
  },
  { name: 'ttl without a unit', inputs: { ...KUBE_ONLY, ttl: '72' }, input: 'ttl', message: /Add a unit/ },
  {
    name: 'sleep-after not a duration',
    inputs: { ...KUBE_ONLY, 'sleep-after': 'soon' },
    input: 'sleep-after',
    message: /duration like 90s, 5m/,
  },
  {
    name: 'price negative',
    inputs: { ...KUBE_ONLY, 'price-vcpu-hour': '-0.04' },
    input: 'price-vcpu-hour',
    message: /non-negative number/,
  },
  {
    name: 'spot-discount of 1 (free compute)',
    inputs: { ...KUBE_ONLY, 'price-vcpu-hour': '0.04', 'spot-discount': '1' },
    input: 'spot-discount',
    message: /from 0 up to \(not including\) 1/,
  },
  {
    name: 'sleep-after under a minute',
    inputs: { ...KUBE_ONLY, 'sleep-after': '10s' },
    input: 'sleep-after',
    message: /at least/,
  },
  {
    name: 'max-deletions negative',
    inputs: { ...KUBE_ONLY, 'max-deletions': '-1' },
    input: 'max-deletions',
    message: /whole number from 0 to 10000/,
  },
  {
    name: 'concurrency 0',
    inputs: { ...KUBE_ONLY, concurrency: '0' },
    input: 'concurrency',
    message: /whole number from 1 to 50/,
  },
  {
    name: 'unknown kinds entry',
    inputs: { kinds: 'namespaces,pods' },
    input: 'kinds',
    message: /"pods" is not one of them/,
  },
  { name: 'empty kinds', inputs: { kinds: ' ' }, input: 'kinds', message: /at least one of/ },
  {
    name: 'warn-before unparsable',
    inputs: { ...KUBE_ONLY, 'warn-before': 'a day' },
    input: 'warn-before',
    message: /duration/,
  },
  {
    name: 'stale-days negative',
    inputs: { ...KUBE_ONLY, 'stale-days': '-3' },
    input: 'stale-days',
    message: /whole number from 0/,
  },
  {
    name: 'dry-run not a boolean',
    inputs: { ...KUBE_ONLY, 'dry-run': 'maybe' },
    input: 'dry-run',
    message: /YAML 1.2 boolean/,
  },
  {
    name: 'keep-label equal to label',
    inputs: { ...KUBE_ONLY, 'keep-label': 'preview' },
    input: 'keep-label',
    message: /must differ from label/,
  },
  {
    name: 'vault in kinds without vault-addr',
    inputs: { kinds: 'vault' },
    input: 'vault-addr',
    message: /required while kinds includes vault/,
  },
  {
    name: 'ecr in kinds without a region',
    inputs: { kinds: 'ecr' },
    input: 'aws-region',
    message: /required while kinds includes ecr/,
  },
  {
    name: 'ttl beyond any Date (issue 14 item 11)',
    inputs: { ...KUBE_ONLY, ttl: '300000000d' },
    input: 'ttl',
    message: /at most 90d/,
  },
  {
    name: 'warn-before above 30d',
    inputs: { ...KUBE_ONLY, 'warn-before': '400d' },
    input: 'warn-before',
    message: /at most 30d/,
  },
];
