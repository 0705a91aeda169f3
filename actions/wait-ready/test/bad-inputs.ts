/** wait-ready's bad inputs; shared by the table and runner tests. */
import type { BadInput as SharedBadInput } from '@preview-fleet/testkit/bad-input';
export interface BadInput extends SharedBadInput {
  /** Also run through the bundle (the issue's own cases and the masked header; every case runs through parseInputs). */
  bundle?: boolean;
}

export const BAD_INPUTS: BadInput[] = [
  { name: 'namespace missing', inputs: { namespace: '' }, input: 'namespace', message: /is required/ },
  {
    name: 'namespace kube-system',
    inputs: { namespace: 'kube-system' },
    input: 'namespace',
    message: /system namespace/,
    bundle: true,
  },
  {
    name: 'basic-auth-secret not a Secret name',
    inputs: { 'basic-auth-secret': 'My Secret' },
    input: 'basic-auth-secret',
    message: /must be a Secret name/,
  },
  {
    name: 'expect-status malformed',
    inputs: { 'expect-status': '2xx' },
    input: 'expect-status',
    message: /status codes or ranges/,
    bundle: true,
  },
  {
    name: 'expect-status reversed range',
    inputs: { 'expect-status': '399-200' },
    input: 'expect-status',
    message: /status codes or ranges/,
  },
  { name: 'timeout unparsable', inputs: { timeout: 'soon' }, input: 'timeout', message: /duration/, bundle: true },
  {
    name: 'url not http',
    inputs: { url: 'ftp://app-pr-1.example.com' },
    input: 'url',
    message: /http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'unknown kind',
    inputs: { kinds: 'deployments,cronjobs' },
    input: 'kinds',
    message: /deployments, statefulsets, daemonsets/,
  },
  {
    name: 'health-path without /',
    inputs: { 'health-path': 'healthz' },
    input: 'health-path',
    message: /starting with \//,
  },
  {
    name: 'header line without colon',
    inputs: { headers: 'X-Preview-Bypass hunter2-bypass' },
    input: 'headers',
    message: /"Name: value"/,
    bundle: true,
  },
  {
    name: 'smoke-command with a pipe',
    inputs: { 'smoke-command': 'curl $PREVIEW_URL | grep ok' },
    input: 'smoke-command',
    message: /without a shell/,
  },
  {
    name: 'argocd-application malformed',
    inputs: { 'argocd-application': 'a/b/c' },
    input: 'argocd-application',
    message: /name or namespace\/name/,
  },
  {
    name: 'timeout above 6h',
    inputs: { timeout: '300000000d' },
    input: 'timeout',
    message: /at most 6h/,
    bundle: true,
  },
  {
    name: 'url at the metadata endpoint (issue 14 item 13)',
    inputs: { url: 'http://169.254.169.254/latest/meta-data/' },
    input: 'url',
    message: /link-local or cloud metadata/,
    bundle: true,
  },
  {
    name: 'url at the IPv6 metadata endpoint',
    inputs: { url: 'http://[fd00:ec2::254]/' },
    input: 'url',
    message: /link-local or cloud metadata/,
    bundle: true,
  },
  {
    name: 'url link-local in another spelling',
    inputs: { url: 'http://0xA9FE0001:8080/' },
    input: 'url',
    message: /link-local or cloud metadata/,
  },
  {
    name: 'url IPv6 link-local',
    inputs: { url: 'http://[fe80::1]/' },
    input: 'url',
    message: /link-local or cloud metadata/,
  },
  {
    name: 'argocd-revision not a SHA',
    inputs: { 'argocd-application': 'app-pr-3', 'argocd-revision': 'main' },
    input: 'argocd-revision',
    message: /commit SHA \(7 to 40 hex digits\)/,
  },
  {
    name: 'seed-job not a Job name',
    inputs: { 'seed-job': 'App_Seed' },
    input: 'seed-job',
    message: /must be a Job name .*app-pr-12-seed/,
    bundle: true,
  },
  {
    name: 'seed-job without a namespace',
    inputs: {
      namespace: '',
      'argocd-application': 'app-pr-3',
      'argocd-revision': 'c0ffee0',
      'seed-job': 'app-pr-3-seed',
    },
    input: 'seed-job',
    message: /needs namespace/,
  },
  {
    name: 'argocd-application without a head SHA',
    inputs: { 'argocd-application': 'app-pr-3' },
    input: 'argocd-revision',
    message: /outside pull_request events/,
  },
];
