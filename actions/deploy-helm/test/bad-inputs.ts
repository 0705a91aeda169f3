/** deploy-helm's bad inputs (issue 8 names six; a few more guard names, keys and guardrails). Shared by the table and runner tests. */
import type { BadInput as SharedBadInput } from '@preview-fleet/testkit/bad-input';
export interface BadInput extends SharedBadInput {
  /** Also run through the bundle (the issue's own cases; every case runs through parseInputs). */
  bundle?: boolean;
}

export const BAD_INPUTS: BadInput[] = [
  { name: 'chart path missing', inputs: { chart: './deploy/no-such-chart' }, input: 'chart', message: /No chart exists at/, bundle: true },
  { name: 'chart empty', inputs: { chart: '' }, input: 'chart', message: /is required/ },
  { name: 'timeout unparsable', inputs: { timeout: 'five minutes' }, input: 'timeout', message: /duration like 90s, 5m/, bundle: true },
  { name: 'timeout without unit', inputs: { timeout: '300' }, input: 'timeout', message: /Add a unit/ },
  { name: 'values not YAML', inputs: { values: 'env:\n  A: [unclosed' }, input: 'values', message: /must be a YAML mapping/, bundle: true },
  { name: 'values a list', inputs: { values: '- a\n- b' }, input: 'values', message: /not a list/ },
  { name: 'set line without =', inputs: { set: 'replicaCount=2\nimage.tag' }, input: 'set', message: /KEY=value/, bundle: true },
  { name: 'set value not YAML', inputs: { set: 'name="unterminated' }, input: 'set', message: /YAML scalar/ },
  { name: 'namespace renders to default', inputs: { namespace: 'default' }, input: 'namespace', message: /must not name a system namespace/, bundle: true },
  { name: 'namespace renders to kube-system', inputs: { namespace: 'kube-{{service}}', service: 'system' }, input: 'namespace', message: /system namespace/, bundle: true },
  { name: 'unknown template variable', inputs: { release: '{{nope}}-{{number}}' }, input: 'release', message: /\{\{nope\}\} is not one of them/ },
  { name: 'atomic not a boolean', inputs: { atomic: 'yes' }, input: 'atomic', message: /YAML 1.2 boolean/ },
  { name: 'max-previews negative', inputs: { 'max-previews': '-1' }, input: 'max-previews', message: /whole number of at least 0/ },
  { name: 'quota value not a quantity', inputs: { 'resource-quota': 'pods=lots' }, input: 'resource-quota', message: /Kubernetes quantity/ },
  { name: 'egress not a CIDR', inputs: { 'egress-allow': '10.0.0.0/8,internet' }, input: 'egress-allow', message: /CIDRs/ },
  { name: 'domain not a domain', inputs: { domain: 'localhost' }, input: 'domain', message: /DNS domain/ },
  { name: 'approve-sha a short SHA', inputs: { 'approve-sha': 'abc1234' }, input: 'approve-sha', message: /full 40-character commit SHA/ },
  { name: 'values file missing', inputs: { 'values-files': 'nope.yaml' }, input: 'values-files', message: /files that exist/ },
  { name: 'empty host-key segment', inputs: { 'host-key': 'ingress..host' }, input: 'host-key', message: /dotted key path/ },
  { name: 'ttl unparsable', inputs: { ttl: 'forever' }, input: 'ttl', message: /duration/ },
  { name: 'ttl beyond any Date (issue 14 item 11)', inputs: { ttl: '300000000d' }, input: 'ttl', message: /at most 90d/, bundle: true },
  { name: 'timeout above 6h', inputs: { timeout: '7h' }, input: 'timeout', message: /at most 6h/ },
  { name: 'request-timeout above 10m', inputs: { 'request-timeout': '11m' }, input: 'request-timeout', message: /at most 10m/ },
  { name: 'egress :/0 (issue 14 item 12)', inputs: { 'egress-allow': ':/0' }, input: 'egress-allow', message: /not an IPv4 or IPv6 address/, bundle: true },
  { name: 'egress fe80::/200', inputs: { 'egress-allow': '10.0.0.0/8\nfe80::/200' }, input: 'egress-allow', message: /prefix length is 0 to 128/, bundle: true },
  { name: 'egress with host bits', inputs: { 'egress-allow': '10.0.0.1/8' }, input: 'egress-allow', message: /did you mean 10\.0\.0\.0\/8/ },
  { name: 'quota pods=1e999 (issue 14 item 12)', inputs: { 'resource-quota': 'pods=1e999' }, input: 'resource-quota', message: /at most 9223372036854775807/, bundle: true },
  { name: 'quota pods not whole', inputs: { 'resource-quota': 'pods=2.5' }, input: 'resource-quota', message: /whole number/ },
  { name: 'limit negative', inputs: { 'limit-range': 'max.cpu=-1' }, input: 'limit-range', message: /not negative/ },
  { name: 'stuck-after unparsable', inputs: { 'stuck-after': 'a while' }, input: 'stuck-after', message: /duration like 90s, 5m/ },
  { name: 'stuck-after over a day', inputs: { 'stuck-after': '2d' }, input: 'stuck-after', message: /at most 1d/ },
];
