/**
 * reap-orphans' inputs: read raw from the runner and validated by the pure `parseInputs` (the
 * target of the table tests) before anything is listed, so a bad input deletes nothing.
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  DURATION_BOUNDS,
  GITHUB_TOKEN_DEFAULT,
  InputError,
  readInputs,
  requireText,
  parseBoolean,
  parseDuration,
  parseGitHubToken,
  parseInteger,
  parseList,
  parseRequestTimeout,
  parseStepTimeout,
} from '@preview-fleet/core';
import { REAP_KINDS, type ReapKind, type ReapOptions, type RemovalInputs } from '@preview-fleet/core/lifecycle';
import { DEFAULT_COMMENT_AUTHOR, parseCommentAuthor } from '@preview-fleet/core/github';
import { requireRegion } from '@preview-fleet/core/registry';
import { parsePrices } from '@preview-fleet/core/kube';
import {
  parseVaultRemovalInputs,
  VAULT_INPUT_DEFAULTS,
  VAULT_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
} from '@preview-fleet/core/vault';

export const INPUT_NAMES = [
  'github-token',
  'label',
  'ttl',
  'keep-label',
  'warn-before',
  'sleep-after',
  'price-vcpu-hour',
  'price-gib-hour',
  'price-storage-gib-hour',
  'spot-discount',
  'stale-days',
  'close-after-days',
  'stale-label',
  'dry-run',
  'max-deletions',
  'concurrency',
  'kinds',
  ...VAULT_INPUT_NAMES,
  'allowed-prefix',
  'aws-region',
  'timeout',
  'request-timeout',
  'comment-author',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
/** Every input's text as the runner gives it (trimmed by readInputs). */
export type RawInputs = Record<InputName, string>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
  'github-token': GITHUB_TOKEN_DEFAULT,
  label: 'preview',
  ttl: '72h',
  'keep-label': 'preview-keep',
  'warn-before': '24h',
  'sleep-after': '',
  'price-vcpu-hour': '',
  'price-gib-hour': '',
  'price-storage-gib-hour': '',
  'spot-discount': '0',
  'stale-days': '0',
  'close-after-days': '7',
  'stale-label': 'preview-stale',
  'dry-run': 'false',
  'max-deletions': '20',
  concurrency: '20',
  kinds: REAP_KINDS.join(','),
  ...VAULT_INPUT_DEFAULTS,
  'allowed-prefix': 'preview/',
  'aws-region': '',
  timeout: '20m',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
  'comment-author': DEFAULT_COMMENT_AUTHOR,
};

const SECRET_INPUTS: readonly InputName[] = ['github-token', ...VAULT_SECRET_INPUTS];

/** The reaper's own options (core's ReapOptions, minus what the run supplies) plus how to reach each store. */
export interface Inputs extends Omit<ReapOptions, 'repository' | 'now' | 'kinds'>, RemovalInputs {
  kinds: Set<ReapKind>;
}

/** Reads every input from the runner; secrets are masked as they are read. */
export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: SECRET_INPUTS });
}

/** Validates the raw inputs; `env` supplies AWS_REGION and the OIDC request variables. */
export function parseInputs(given: Partial<RawInputs>, env: Record<string, string | undefined> = process.env): Inputs {
  const raw: RawInputs = { ...DEFAULTS, ...given };
  const label = requireText('label', raw.label, 'the opt-in label');
  const keepLabel = requireText('keep-label', raw['keep-label'], 'the label that keeps a preview past its expiry');
  if (keepLabel === label) throw new InputError('keep-label', keepLabel, 'must differ from label');
  const staleLabel = requireText('stale-label', raw['stale-label'], 'the label that marks a PR stale');
  const kinds = new Set<ReapKind>();
  const listed = parseList('kinds', raw.kinds);
  if (listed.length === 0)
    throw new InputError('kinds', raw.kinds, `must list at least one of ${REAP_KINDS.join(', ')}`);
  for (const k of listed) {
    if (!(REAP_KINDS as readonly string[]).includes(k)) {
      throw new InputError('kinds', raw.kinds, `must list only ${REAP_KINDS.join(', ')}`, `"${k}" is not one of them`);
    }
    kinds.add(k as ReapKind);
  }
  const vault = kinds.has('vault')
    ? parseVaultRemovalInputs(raw, env, { while: 'kinds includes vault', off: 'leave vault out of kinds' })
    : undefined;
  const awsRegion = kinds.has('ecr')
    ? requireRegion(raw['aws-region'], env, { while: 'kinds includes ecr', off: 'leave ecr out of kinds' })
    : undefined;
  return {
    githubToken: parseGitHubToken(raw['github-token']),
    label,
    keepLabel,
    staleLabel,
    kinds,
    vault,
    awsRegion,
    ttlMs: parseDuration('ttl', raw.ttl, DURATION_BOUNDS.ttl),
    warnBeforeMs: parseDuration('warn-before', raw['warn-before'], DURATION_BOUNDS.warnBefore),
    // Empty: the policy is off (clusters with KEDA's HTTP add-on sleep on traffic instead).
    prices: parsePrices({
      vcpu: ['price-vcpu-hour', raw['price-vcpu-hour']],
      gib: ['price-gib-hour', raw['price-gib-hour']],
      storage: ['price-storage-gib-hour', raw['price-storage-gib-hour']],
      spot: ['spot-discount', raw['spot-discount']],
    }),
    sleepAfterMs: raw['sleep-after'] === '' ? 0 : parseDuration('sleep-after', raw['sleep-after'], DURATION_BOUNDS.ttl),
    staleDays: parseInteger('stale-days', raw['stale-days'], { min: 0, max: 3650 }),
    closeAfterDays: parseInteger('close-after-days', raw['close-after-days'], { min: 0, max: 3650 }),
    dryRun: parseBoolean('dry-run', raw['dry-run']),
    maxDeletions: parseInteger('max-deletions', raw['max-deletions'], { min: 0, max: 10_000 }),
    concurrency: parseInteger('concurrency', raw.concurrency, { min: 1, max: 50 }),
    timeoutMs: parseStepTimeout(raw.timeout),
    requestTimeoutMs: parseRequestTimeout(raw['request-timeout']),
    commentAuthor: parseCommentAuthor('comment-author', raw['comment-author']),
  };
}
