/** The bad-input cases (the list, plus the planner's guards). Shared by the table and the bundle tests. */
import type { BadInput as SharedBadInput } from '@preview-fleet/testkit/bad-input';
export interface BadInput extends SharedBadInput {
  /** Run without AWS_REGION in the environment. */
  noRegion?: boolean;
}

export const BAD_INPUTS: BadInput[] = [
  {
    name: 'content-tag without {{content_hash}}',
    inputs: { 'content-tag': 'build-{{head_sha}}' },
    input: 'content-tag',
    message: /must contain \{\{content_hash\}\}/,
  },
  {
    name: 'content-tag that renders to an invalid tag',
    inputs: { 'content-tag': 'build/{{content_hash}}' },
    input: 'content-tag',
    message: /image tag of up to 128 letters/,
  },
  {
    name: 'keep-images 0',
    inputs: { 'keep-images': '0' },
    input: 'keep-images',
    message: /whole number from 1 to 1000/,
  },
  {
    name: 'keep-images over 1000',
    inputs: { 'keep-images': '1001' },
    input: 'keep-images',
    message: /whole number from 1 to 1000/,
  },
  { name: 'keep-images not a number', inputs: { 'keep-images': 'six' }, input: 'keep-images', message: /whole number/ },
  {
    name: 'tag with a slash',
    inputs: { tag: 'preview/{{head_sha}}' },
    input: 'tag',
    message: /image tag of up to 128 letters/,
  },
  {
    name: 'tag starting with -',
    inputs: { tag: '-{{head_short_sha}}' },
    input: 'tag',
    message: /not starting with \. or -/,
  },
  {
    name: 'tag over 128 characters',
    inputs: { tag: `${'x'.repeat(100)}-{{head_sha}}` },
    input: 'tag',
    message: /up to 128/,
  },
  {
    name: 'tag renders to the cache tag',
    inputs: { tag: 'buildcache' },
    input: 'tag',
    message: /holds the layer cache/,
  },
  {
    name: 'unknown template variable',
    inputs: { tag: 'preview-{{sha}}' },
    input: 'tag',
    message: /\{\{sha\}\} is not one of them/,
  },
  {
    name: 'repository with a space after templating',
    inputs: { repository: 'web app-{{number}}' },
    input: 'repository',
    message: /valid ECR repository name/,
  },
  {
    name: 'repository with a double separator',
    inputs: { repository: 'preview--{{number}}' },
    input: 'repository',
    message: /valid ECR repository name/,
  },
  {
    name: 'repository with a leading /',
    inputs: { repository: '/{{service}}-{{number}}' },
    input: 'repository',
    message: /valid ECR repository name/,
  },
  { name: 'missing Dockerfile', inputs: { file: 'nope/Dockerfile' }, input: 'file', message: /existing Dockerfile/ },
  {
    name: 'context without a Dockerfile',
    inputs: { context: 'docs' },
    input: 'file',
    message: /existing Dockerfile \(.*docs\/Dockerfile is missing\)/,
  },
  { name: 'missing context', inputs: { context: 'no-such-dir' }, input: 'context', message: /existing directory/ },
  { name: 'unknown builder', inputs: { builder: 'kaniko' }, input: 'builder', message: /"docker", "podman"/ },
  {
    name: 'registry with a scheme',
    inputs: { registry: 'https://ghcr.io' },
    input: 'registry',
    message: /host\[:port\]/,
  },
  { name: 'registry with a path', inputs: { registry: 'ghcr.io/acme' }, input: 'registry', message: /host\[:port\]/ },
  {
    name: 'registry port out of range',
    inputs: { registry: '127.0.0.1:99999' },
    input: 'registry',
    message: /host\[:port\]/,
  },
  {
    name: 'ecr false without registry',
    inputs: { ecr: 'false' },
    input: 'registry',
    message: /required with ecr: false/,
  },
  { name: 'unknown cache', inputs: { cache: 'gha' }, input: 'cache', message: /"registry", "none"/ },
  {
    name: 'two platforms with podman',
    inputs: { builder: 'podman', platforms: 'linux/amd64,linux/arm64' },
    input: 'platforms',
    message: /one platform with builder podman/,
  },
  { name: 'platform without os', inputs: { platforms: 'amd64' }, input: 'platforms', message: /linux\/amd64/ },
  {
    name: 'build-args line without =',
    inputs: { 'build-args': 'GOOD=1\nBAD' },
    input: 'build-args',
    message: /KEY=value/,
  },
  {
    name: 'secrets line without =',
    inputs: { secrets: 'npm_token=s3cr3t-npm\nnaked-s3cr3t' },
    input: 'secrets',
    message: /one id=value per line.*"line 2"/,
  },
  {
    name: 'secrets id with a comma',
    inputs: { secrets: 'a,b=s3cr3t' },
    input: 'secrets',
    message: /letters, digits, _ \. -/,
  },
  {
    name: 'secrets id repeated',
    inputs: { secrets: 'tok=s3cr3t-one\ntok=s3cr3t-two' },
    input: 'secrets',
    message: /repeats "tok"/,
  },
  {
    name: 'skip-if-exists not a boolean',
    inputs: { 'skip-if-exists': 'yes' },
    input: 'skip-if-exists',
    message: /YAML 1\.2 boolean/,
  },
  {
    name: 'no region anywhere',
    inputs: {},
    noRegion: true,
    input: 'aws-region',
    message: /required with ecr: true when AWS_REGION is not set/,
  },
  { name: 'timeout above 6h', inputs: { timeout: '7h' }, input: 'timeout', message: /at most 6h/ },
  {
    name: 'request-timeout unparsable',
    inputs: { 'request-timeout': 'thirty' },
    input: 'request-timeout',
    message: /duration like 90s, 5m/,
  },
  {
    name: 'region not a region',
    inputs: { 'aws-region': 'mars' },
    input: 'aws-region',
    message: /AWS region such as us-east-1/,
  },
  {
    name: 'approve-sha not a full SHA',
    inputs: { 'approve-sha': 'deadbeef' },
    input: 'approve-sha',
    message: /full 40-character commit SHA/,
  },
  { name: 'pr-number not a number', inputs: { 'pr-number': 'abc' }, input: 'pr-number', message: /whole number/ },
];
