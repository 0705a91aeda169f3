/**
 * build-push's inputs: read raw from the runner, validated by the pure `parseInputs` (the target
 * of the table tests), then rendered into a plan by `planBuild`. Every check — including the
 * Dockerfile's existence — runs before ECR is contacted, so a bad input creates nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TEMPLATES,
  DURATION_BOUNDS,
  InputError,
  maskSecret,
  optional,
  readInputs,
  requireText,
  parseApproveSha,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseInteger,
  parseKeyValueMap,
  parseList,
  parsePrNumber,
  parseRequestTimeout,
  parseStepTimeout,
  planEcrRepository,
  planImageTag,
  planService,
  renderTemplate,
  templateVars,
  type TemplateVars,
} from '@preview-fleet/core';
import {
  BUILDERS,
  CACHE_TAG,
  CONTENT_HASH_LENGTH,
  CONTENT_HASH_VARIABLE,
  renderContentTag,
  isRegistryHost,
  KEEP_IMAGES_MAX,
  resolveRegion,
  type Builder,
} from '@preview-fleet/core/registry';
import { parseContentTag, parseSecrets } from './parse-text.js';

export const INPUT_NAMES = [
  'aws-region',
  'repository',
  'tag',
  'service',
  'context',
  'file',
  'build-args',
  'target',
  'platforms',
  'keep-images',
  'cache',
  'builder',
  'skip-if-exists',
  'ecr',
  'registry',
  'adopt-existing',
  'pr-number',
  'ttl',
  'secrets',
  'timeout',
  'request-timeout',
  'approve-sha',
  'content-tag',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
/** Every input's text as the runner gives it (trimmed by readInputs, build-args excepted). */
export type RawInputs = Record<InputName, string>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
  'aws-region': '',
  repository: DEFAULT_TEMPLATES.ecrRepository,
  tag: DEFAULT_TEMPLATES.imageTag,
  service: 'app',
  context: '.',
  file: '',
  'build-args': '',
  target: '',
  platforms: '',
  'keep-images': '6',
  cache: 'registry',
  builder: 'docker',
  'skip-if-exists': 'true',
  ecr: 'true',
  registry: '',
  'adopt-existing': 'false',
  'pr-number': '',
  ttl: '72h',
  secrets: '',
  timeout: '30m',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
  'approve-sha': '',
  'content-tag': 'build-{{content_hash}}',
};

export interface Inputs {
  /** Resolved from the input or AWS_REGION; undefined only with ecr false. */
  awsRegion?: string;
  repository: string;
  tag: string;
  service: string;
  context: string;
  file?: string;
  buildArgs: Map<string, string>;
  /** BuildKit secret id → value (each value masked by `maskBuildSecrets`). */
  secrets: Map<string, string>;
  target?: string;
  platforms: string[];
  keepImages: number;
  cache: 'registry' | 'none';
  builder: Builder;
  skipIfExists: boolean;
  ecr: boolean;
  registry?: string;
  adoptExisting: boolean;
  prNumber: string;
  /** The ECR repository's expires-at is now + ttl, renewed on every run. */
  ttlMs: number;
  /** The whole step's bound, the build included. */
  timeoutMs: number;
  /** One request's bound (ECR, the push registry's manifest lookup, the builder's login). */
  requestTimeoutMs: number;
  /** The PR head a maintainer approved (workflow_dispatch): the commit checked out, built and tagged. */
  approveSha?: string;
  /** The content-addressed tag's template (holds {{content_hash}}); undefined tags by `tag` alone. */
  contentTag?: string;
}

export function readRawInputs(): RawInputs {
  // build-args keep their inner whitespace: a value may end in spaces. secrets: every line masked as read.
  return readInputs(INPUT_NAMES, { untrimmed: ['build-args'], secrets: ['secrets'] });
}

/** Masks each secret's value on its own (readInputs masked whole `id=value` lines, not the values). */
export function maskBuildSecrets(inputs: Pick<Inputs, 'secrets'>): void {
  for (const value of inputs.secrets.values()) maskSecret(value);
}

const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const STAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Validates the raw inputs; `env` supplies AWS_REGION when aws-region is empty. */
export function parseInputs(given: Partial<RawInputs>, env: Record<string, string | undefined> = process.env): Inputs {
  const raw: RawInputs = { ...DEFAULTS, ...given };
  const ecr = parseBoolean('ecr', raw.ecr);
  const builder = parseEnum('builder', raw.builder, BUILDERS);
  const registry = optional(raw.registry);
  if (registry !== undefined && !isRegistryHost(registry)) {
    throw new InputError(
      'registry',
      raw.registry,
      'must be a registry host[:port] such as 123456789012.dkr.ecr.us-east-1.amazonaws.com or 127.0.0.1:5000',
      'Leave out https:// and any repository path: the repository comes from the repository input',
    );
  }
  if (!ecr && registry === undefined) {
    throw new InputError('registry', '', 'is required with ecr: false (the host to push to, e.g. ghcr.io)');
  }
  let region: string | undefined;
  if (ecr) {
    region = resolveRegion(optional(raw['aws-region']), env);
    if (!region) {
      throw new InputError(
        'aws-region',
        '',
        'is required with ecr: true when AWS_REGION is not set',
        'Run aws-actions/configure-aws-credentials first, or pass aws-region: us-east-1',
      );
    }
    if (!REGION.test(region))
      throw new InputError('aws-region', region, 'must be an AWS region such as us-east-1 or eu-central-1');
  }
  const platforms = parseList('platforms', raw.platforms);
  for (const p of platforms) {
    if (!PLATFORM.test(p))
      throw new InputError(
        'platforms',
        raw.platforms,
        'must list platforms like linux/amd64 or linux/arm64/v8',
        `"${p}" is not one`,
      );
  }
  if (builder === 'podman' && platforms.length > 1) {
    throw new InputError(
      'platforms',
      raw.platforms,
      'may name one platform with builder podman (a multi-platform podman build needs a manifest list)',
      'Use builder: docker for multi-platform images',
    );
  }
  const target = optional(raw.target);
  if (target !== undefined && !STAGE.test(target))
    throw new InputError('target', raw.target, 'must be a build stage name (letters, digits, _ . -)');
  const prNumber = raw['pr-number'];
  if (prNumber !== '') parsePrNumber('pr-number', prNumber);
  return {
    awsRegion: region,
    repository: requireText('repository', raw.repository),
    tag: requireText('tag', raw.tag),
    service: planService('service', raw.service),
    context: optional(raw.context) ?? '.',
    file: optional(raw.file),
    buildArgs: parseKeyValueMap('build-args', raw['build-args']),
    ttlMs: parseDuration('ttl', raw.ttl, DURATION_BOUNDS.ttl),
    secrets: parseSecrets(raw.secrets),
    target,
    platforms,
    keepImages: parseInteger('keep-images', raw['keep-images'], { min: 1, max: KEEP_IMAGES_MAX }),
    cache: parseEnum('cache', raw.cache, ['registry', 'none'] as const),
    builder,
    skipIfExists: parseBoolean('skip-if-exists', raw['skip-if-exists']),
    ecr,
    registry,
    adoptExisting: parseBoolean('adopt-existing', raw['adopt-existing']),
    prNumber,
    timeoutMs: parseStepTimeout(raw.timeout),
    requestTimeoutMs: parseRequestTimeout(raw['request-timeout']),
    approveSha: parseApproveSha(raw['approve-sha']),
    contentTag: parseContentTag(raw['content-tag']),
  };
}

export interface BuildPlan {
  /** The repository name (ECR rules). */
  repository: string;
  /** The `tag` input rendered (the head-SHA tag): the alias when contentTag is set. */
  tag: string;
  /** The content tag for a hash: content-tag rendered; undefined when content-tag is empty. */
  contentTag?: (hash: string) => string;
  /** Absolute paths. */
  context: string;
  file: string;
}

export interface PlanPr {
  number: number;
  headSha?: string;
  headRef?: string;
  baseRef?: string;
  author?: string;
}

/** Renders the names and checks the build context and Dockerfile exist (relative to `cwd`, the workspace). */
export function planBuild(inputs: Inputs, pr: PlanPr, repository: string, cwd: string): BuildPlan {
  const vars: TemplateVars = templateVars(pr, repository, inputs.service);
  const name = planEcrRepository('repository', renderTemplate('repository', inputs.repository, vars));
  const tag = planImageTag('tag', renderTemplate('tag', inputs.tag, vars));
  if (tag === CACHE_TAG && inputs.cache === 'registry') {
    throw new InputError(
      'tag',
      inputs.tag,
      `must not render to "${CACHE_TAG}" with cache: registry (that tag holds the layer cache)`,
    );
  }
  let contentTag: ((hash: string) => string) | undefined;
  if (inputs.contentTag !== undefined) {
    const parts = inputs.contentTag.split(CONTENT_HASH_VARIABLE).map((p) => renderTemplate('content-tag', p, vars));
    contentTag = (hash) => renderContentTag(parts.join(CONTENT_HASH_VARIABLE), hash);
    const sample = planImageTag('content-tag', contentTag('0'.repeat(CONTENT_HASH_LENGTH)));
    if (sample === tag || sample === CACHE_TAG) {
      throw new InputError(
        'content-tag',
        inputs.contentTag,
        'must render to a tag other than the tag input and the cache tag',
      );
    }
  }
  const context = isAbsolute(inputs.context) ? inputs.context : resolve(cwd, inputs.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new InputError(
      'context',
      inputs.context,
      'must be an existing directory (relative to the workspace)',
      'Check out the code first (actions/checkout)',
    );
  }
  const file =
    inputs.file === undefined
      ? join(context, 'Dockerfile')
      : isAbsolute(inputs.file)
        ? inputs.file
        : resolve(cwd, inputs.file);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new InputError(
      'file',
      inputs.file ?? join(inputs.context, 'Dockerfile'),
      `must name an existing Dockerfile (${file} is missing)`,
      inputs.file === undefined
        ? "Set file: to the Dockerfile's path, or context: to the folder that holds it"
        : undefined,
    );
  }
  return { repository: name, tag, contentTag, context, file };
}
