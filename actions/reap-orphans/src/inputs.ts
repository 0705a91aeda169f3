/**
 * reap-orphans' inputs: read raw from the runner and validated by the pure `parseInputs` (the
 * target of the table tests) before anything is listed, so a bad input deletes nothing.
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  DURATION_BOUNDS,
  InputError,
  readInputs,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseList,
  parseRequestTimeout,
  parseStepTimeout,
} from '@preview-fleet/core';
import {
  parseVaultInputs,
  REAP_KINDS,
  VAULT_INPUT_DEFAULTS,
  VAULT_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
  type ReapKind,
  type ReapOptions,
  type VaultInputs,
} from '@preview-fleet/core/lifecycle';
import { DEFAULT_COMMENT_AUTHOR, parseCommentAuthor } from '@preview-fleet/core/github';

export const INPUT_NAMES = [
  'github-token',
  'label',
  'ttl',
  'keep-label',
  'warn-before',
  'stale-days',
  'close-after-days',
  'stale-label',
  'dry-run',
  'max-deletions',
  'concurrency',
  'kinds',
  ...VAULT_INPUT_NAMES,
  'aws-region',
  'timeout',
  'request-timeout',
  'comment-author',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
export type RawInputs = Partial<Record<InputName, string>>;

/** The TypeScript defaults; a test proves action.yml says the same (github-token's is `${{ github.token }}`). */
export const DEFAULTS: Record<InputName, string> = {
  'github-token': '',
  label: 'preview',
  ttl: '72h',
  'keep-label': 'preview-keep',
  'warn-before': '24h',
  'stale-days': '0',
  'close-after-days': '7',
  'stale-label': 'preview-stale',
  'dry-run': 'false',
  'max-deletions': '20',
  concurrency: '5',
  kinds: REAP_KINDS.join(','),
  ...VAULT_INPUT_DEFAULTS,
  'aws-region': '',
  timeout: '20m',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
  'comment-author': DEFAULT_COMMENT_AUTHOR,
};

const SECRET_INPUTS: readonly string[] = ['github-token', ...VAULT_SECRET_INPUTS];

/** The reaper's own options (core's ReapOptions, minus what the run supplies) plus how to reach each store. */
export interface Inputs extends Omit<ReapOptions, 'repository' | 'now' | 'kinds'> {
  'github-token': string;
  kinds: Set<ReapKind>;
  vault?: VaultInputs;
  awsRegion?: string;
  /** The whole run's bound; each helm/namespace wait gets at most REAP_WAIT_MAX_MS of what is left. */
  timeoutMs: number;
  /** One request's bound (Kubernetes API, Vault, ECR, GitHub). */
  requestTimeoutMs: number;
  /** Our own login: only marker comments it wrote are edited. */
  commentAuthor: string;
}

export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: SECRET_INPUTS });
}

function nonEmpty(name: string, value: string, what: string): string {
  const v = value.trim();
  if (v === '') throw new InputError(name, value, `must not be empty: ${what}`);
  return v;
}

export function parseInputs(given: RawInputs, env: Record<string, string | undefined> = process.env): Inputs {
  const raw = { ...DEFAULTS, ...given };
  const label = nonEmpty('label', raw.label, 'the opt-in label');
  const keepLabel = nonEmpty('keep-label', raw['keep-label'], 'the label that keeps a preview past its expiry');
  if (keepLabel === label) throw new InputError('keep-label', keepLabel, 'must differ from label');
  const staleLabel = nonEmpty('stale-label', raw['stale-label'], 'the label that marks a PR stale');
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
    ? parseVaultInputs(raw, env, 'kinds includes vault', 'leave vault out of kinds')
    : undefined;
  const awsRegion = kinds.has('ecr')
    ? raw['aws-region'].trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim()
    : undefined;
  if (kinds.has('ecr') && !awsRegion) {
    throw new InputError(
      'aws-region',
      raw['aws-region'],
      'is required while kinds includes ecr (and AWS_REGION is not set)',
      'Run aws-actions/configure-aws-credentials first, set aws-region, or leave ecr out of kinds',
    );
  }
  return {
    'github-token': raw['github-token'].trim(),
    label,
    keepLabel,
    staleLabel,
    kinds,
    vault,
    awsRegion,
    ttlMs: parseDuration('ttl', raw.ttl, DURATION_BOUNDS.ttl),
    warnBeforeMs: parseDuration('warn-before', raw['warn-before'], DURATION_BOUNDS.warnBefore),
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
