/**
 * deploy-helm's inputs: read raw from the runner, validated by the pure `parseInputs` (the target
 * of the table tests) and planned by `planDeploy`. Every check runs before the cluster is
 * contacted, so a bad input creates nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TEMPLATES,
  GITHUB_TOKEN_DEFAULT,
  InputError,
  DURATION_BOUNDS,
  optional,
  parseApproveSha,
  readInputs,
  parseBoolean,
  parseDuration,
  parseGitHubToken,
  parseEnum,
  parseInteger,
  parseKeyValueMap,
  parseList,
  parsePrNumber,
  parseRequestTimeout,
  parseStepTimeout,
  planService,
} from '@preview-fleet/core';
import {
  CAP_POLICIES,
  parsePrices,
  buildGeneratedValues,
  deepMerge,
  parseEgressAllow,
  parseLimitRangeInput,
  parseQuotaInput,
  parseValuesBlock,
  planPreviewNames,
  splitImage,
  splitKeyPath,
  type CapPolicy,
  type Prices,
  type DeployPlan,
  type GuardrailOptions,
  type Values,
} from '@preview-fleet/core/kube';
import {
  operatorValues,
  parseVaultSync,
  renderVaultTarget,
  VAULT_SYNC_DEFAULTS,
  VAULT_SYNC_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
  type VaultSync,
} from './vault-inputs.js';

export const INPUT_NAMES = [
  'chart',
  'chart-version',
  'service',
  'release',
  'namespace',
  'values-files',
  'values',
  'set',
  'image',
  'image-repository-key',
  'image-tag-key',
  'domain',
  'host',
  'host-key',
  'secret-ref',
  'secret-ref-key',
  'sensitive-secret-ref',
  'sensitive-secret-ref-key',
  'timeout',
  'request-timeout',
  'atomic',
  'ttl',
  'max-previews',
  'cap-policy',
  'cap-lease-namespace',
  'price-vcpu-hour',
  'price-gib-hour',
  'price-storage-gib-hour',
  'spot-discount',
  'resource-quota',
  'limit-range',
  'network-policy',
  'ingress-namespace',
  'egress-allow',
  'label',
  'github-token',
  'pr-number',
  'stuck-after',
  'approve-sha',
  ...VAULT_SYNC_INPUT_NAMES,
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
/** Every input's text as the runner gives it (trimmed by readInputs). */
export type RawInputs = Record<InputName, string>;

/** The TypeScript defaults; a test proves action.yml says the same. */
export const DEFAULTS: RawInputs = {
  chart: '',
  'chart-version': '',
  service: 'app',
  release: DEFAULT_TEMPLATES.release,
  namespace: DEFAULT_TEMPLATES.namespace,
  'values-files': '',
  values: '',
  set: '',
  image: '',
  'image-repository-key': 'image.repository',
  'image-tag-key': 'image.tag',
  domain: '',
  host: DEFAULT_TEMPLATES.host,
  'host-key': 'ingress.host',
  'secret-ref': '',
  'secret-ref-key': 'secretRef',
  'sensitive-secret-ref': '',
  'sensitive-secret-ref-key': 'sensitiveSecretRef',
  timeout: '5m',
  'request-timeout': DEFAULT_REQUEST_TIMEOUT,
  atomic: 'true',
  ttl: '72h',
  'max-previews': '0',
  'cap-policy': 'sleep',
  'cap-lease-namespace': 'default',
  'price-vcpu-hour': '',
  'price-gib-hour': '',
  'price-storage-gib-hour': '',
  'spot-discount': '0',
  'resource-quota': 'true',
  'limit-range': 'true',
  'network-policy': 'true',
  'ingress-namespace': 'ingress-nginx',
  'egress-allow': '',
  label: 'preview',
  'github-token': GITHUB_TOKEN_DEFAULT,
  'pr-number': '',
  'stuck-after': '10m',
  'approve-sha': '',
  ...VAULT_SYNC_DEFAULTS,
};

const SECRET_INPUTS: readonly InputName[] = ['github-token', 'sensitive-secret-ref', ...VAULT_SECRET_INPUTS];

export interface Inputs {
  chart: string;
  chartIsLocal: boolean;
  chartVersion?: string;
  service: string;
  templates: { release: string; namespace: string; host: string };
  valuesFiles: string[];
  values: Values;
  set: Map<string, string>;
  image?: { repository: string; tag?: string };
  keys: { imageRepository: string; imageTag: string; host: string; secretRef: string; sensitiveSecretRef: string };
  domain?: string;
  secretRef?: string;
  sensitiveSecretRef?: string;
  /** The whole step's bound; helm's own wait gets what is left of it (see deployPreview). */
  timeoutMs: number;
  stuckAfterMs: number;
  /** One request to the Kubernetes API or GitHub. */
  requestTimeoutMs: number;
  atomic: boolean;
  ttlMs: number;
  maxPreviews: number;
  capPolicy: CapPolicy;
  capLeaseNamespace: string;
  /** Prices for the comment's hourly estimate; undefined: none. */
  prices?: Prices;
  guardrails: Omit<GuardrailOptions, 'namespace'>;
  label: string;
  githubToken: string;
  prNumber: string;
  /** A maintainer's approval of the PR head to deploy (workflow_dispatch only; a fork needs it). */
  approveSha?: string;
  /** The PR's Vault copy to materialise as a Secret (undefined: no Vault, secret-sync none, or secret-ref names the user's own). */
  vaultSync?: VaultSync;
}

/** Reads every input from the runner; secrets are masked as they are read. */
export function readRawInputs(): RawInputs {
  return readInputs(INPUT_NAMES, { secrets: SECRET_INPUTS });
}

const SET_KEY = /^(?:[A-Za-z0-9_\-/]|\\\.)+(?:\.(?:[A-Za-z0-9_\-/]|\\\.)+)*$/;

/**
 * A chart reference: `oci://…`, an http(s) URL to a .tgz, an existing local directory with
 * Chart.yaml or a .tgz file, or `repo/chart`. Anything that looks like a path must exist.
 */
export function parseChart(raw: string, workspace: string): { chart: string; local: boolean } {
  const v = raw.trim();
  const accepted = 'must be a chart directory (with Chart.yaml) or .tgz, repo/chart, or oci://registry/path/chart';
  if (v === '') throw new InputError('chart', raw, `is required: it ${accepted.replace('must be', 'is')}`);
  if (/^oci:\/\/[^\s/]+\/\S+$/.test(v)) return { chart: v, local: false };
  if (/^https?:\/\/\S+\.tgz$/.test(v)) return { chart: v, local: false };
  if (/^[a-z]+:\/\//.test(v)) throw new InputError('chart', raw, accepted);
  const path = isAbsolute(v) ? v : resolve(workspace, v);
  if (existsSync(path)) {
    const st = statSync(path);
    if (st.isDirectory() && !existsSync(join(path, 'Chart.yaml'))) {
      throw new InputError('chart', raw, accepted, `${v} is a directory without Chart.yaml`);
    }
    return { chart: path, local: true };
  }
  const looksLikePath = v.startsWith('.') || v.startsWith('/') || v.endsWith('.tgz') || v.split('/').length !== 2;
  if (looksLikePath) throw new InputError('chart', raw, accepted, `No chart exists at ${path}`);
  if (!/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(v)) throw new InputError('chart', raw, accepted);
  return { chart: v, local: false };
}

/** Validates the raw inputs; `workspace` resolves relative chart and values-file paths. */
export function parseInputs(
  given: Partial<RawInputs>,
  workspace: string = process.env.GITHUB_WORKSPACE ?? process.cwd(),
): Inputs {
  const raw: RawInputs = { ...DEFAULTS, ...given };
  const chart = parseChart(raw.chart, workspace);
  const valuesFiles = parseList('values-files', raw['values-files']).map((f) => {
    const path = isAbsolute(f) ? f : resolve(workspace, f);
    if (!existsSync(path) || !statSync(path).isFile())
      throw new InputError('values-files', f, 'must list files that exist', `No file at ${path}`);
    return path;
  });
  const keys = {
    imageRepository: raw['image-repository-key'],
    imageTag: raw['image-tag-key'],
    host: raw['host-key'],
    secretRef: raw['secret-ref-key'],
    sensitiveSecretRef: raw['sensitive-secret-ref-key'],
  };
  for (const [name, key] of [
    ['image-repository-key', keys.imageRepository],
    ['image-tag-key', keys.imageTag],
    ['host-key', keys.host],
    ['secret-ref-key', keys.secretRef],
    ['sensitive-secret-ref-key', keys.sensitiveSecretRef],
  ] as const) {
    splitKeyPath(name, key);
  }
  const service = planService('service', raw.service);
  const networkPolicy = parseBoolean('network-policy', raw['network-policy']);
  const ingressNamespace = raw['ingress-namespace'];
  if (ingressNamespace !== '' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ingressNamespace)) {
    throw new InputError('ingress-namespace', ingressNamespace, 'must be a namespace name (DNS-1123 label) or empty');
  }
  const out: Inputs = {
    chart: chart.chart,
    chartIsLocal: chart.local,
    chartVersion: optional(raw['chart-version']),
    service,
    templates: { release: raw.release, namespace: raw.namespace, host: raw.host },
    valuesFiles,
    values: parseValuesBlock('values', raw.values),
    set: parseKeyValueMap('set', raw.set, SET_KEY),
    image: optional(raw.image) ? splitImage('image', raw.image) : undefined,
    keys,
    domain: optional(raw.domain),
    secretRef: optional(raw['secret-ref']),
    sensitiveSecretRef: optional(raw['sensitive-secret-ref']),
    timeoutMs: parseStepTimeout(raw.timeout),
    requestTimeoutMs: parseRequestTimeout(raw['request-timeout']),
    // 0s restores "every pending release is stuck"; a day is far beyond any helm --timeout we allow (6h).
    stuckAfterMs: parseDuration('stuck-after', raw['stuck-after'], { minMs: 0, maxMs: 24 * 3_600_000 }),
    atomic: parseBoolean('atomic', raw.atomic),
    ttlMs: parseDuration('ttl', raw.ttl, DURATION_BOUNDS.ttl),
    maxPreviews: parseInteger('max-previews', raw['max-previews'], { min: 0 }),
    capPolicy: parseEnum('cap-policy', raw['cap-policy'], CAP_POLICIES),
    capLeaseNamespace: parseCapLeaseNamespace(raw['cap-lease-namespace']),
    prices: parsePrices({
      vcpu: ['price-vcpu-hour', raw['price-vcpu-hour']],
      gib: ['price-gib-hour', raw['price-gib-hour']],
      storage: ['price-storage-gib-hour', raw['price-storage-gib-hour']],
      spot: ['spot-discount', raw['spot-discount']],
    }),
    guardrails: {
      quota: parseQuotaInput(raw['resource-quota']),
      limitRange: parseLimitRangeInput(raw['limit-range']),
      networkPolicy: networkPolicy
        ? {
            enabled: true,
            settings: {
              ingressNamespace,
              egress: parseEgressAllow('egress-allow', parseList('egress-allow', raw['egress-allow'])),
            },
          }
        : { enabled: false },
    },
    label: raw.label,
    githubToken: parseGitHubToken(raw['github-token']),
    prNumber: raw['pr-number'],
    approveSha: parseApproveSha(raw['approve-sha']),
    vaultSync: optional(raw['secret-ref']) ? undefined : parseVaultSync(raw, process.env),
  };
  if (out.prNumber !== '') parsePrNumber('pr-number', out.prNumber);
  if (out.vaultSync) splitKeyPath('secret-checksum-key', out.vaultSync.checksumKey);
  return out;
}

/** Names and values for one PR: templates rendered and checked (system namespaces refused). */
export function planDeploy(
  inputs: Inputs,
  pr: { number: number; headSha?: string; headRef?: string; baseRef?: string; author?: string },
  repository: string,
): DeployPlan {
  const names = planPreviewNames({
    pr,
    repository,
    service: inputs.service,
    templates: inputs.templates,
    domain: inputs.domain,
  });
  const secretRefs: Array<{ key: string; value: string }> = [];
  const appSecretName = inputs.vaultSync ? `${names.release}-env` : undefined;
  const secretRef = inputs.secretRef ?? appSecretName;
  if (secretRef) secretRefs.push({ key: inputs.keys.secretRef, value: secretRef });
  if (inputs.sensitiveSecretRef)
    secretRefs.push({ key: inputs.keys.sensitiveSecretRef, value: inputs.sensitiveSecretRef });
  const vaultPath = inputs.vaultSync ? renderVaultTarget(inputs.vaultSync, pr, repository, inputs.service) : undefined;
  // An operator mode's custom resource comes first: the user's values and set still win.
  const operator = inputs.vaultSync && vaultPath ? operatorValues(inputs.vaultSync, vaultPath) : undefined;
  const values = buildGeneratedValues({
    image: inputs.image
      ? { ...inputs.image, repositoryKey: inputs.keys.imageRepository, tagKey: inputs.keys.imageTag }
      : undefined,
    host: names.host ? { value: names.host, key: inputs.keys.host } : undefined,
    secretRefs,
    set: inputs.set,
    values: operator ? deepMerge(operator, inputs.values) : inputs.values,
  });
  return {
    repository,
    pr: pr.number,
    service: inputs.service,
    headSha: pr.headSha,
    namespace: names.namespace,
    release: names.release,
    chart: inputs.chart,
    chartVersion: inputs.chartVersion,
    valuesFiles: inputs.valuesFiles,
    values,
    url: names.url,
    timeoutMs: inputs.timeoutMs,
    stuckAfterMs: inputs.stuckAfterMs,
    atomic: inputs.atomic,
    ttlMs: inputs.ttlMs,
    maxPreviews: inputs.maxPreviews,
    capPolicy: inputs.capPolicy,
    capLeaseNamespace: inputs.capLeaseNamespace,
    guardrails: inputs.guardrails,
    appSecret:
      inputs.vaultSync && appSecretName
        ? {
            name: appSecretName,
            source: `${inputs.vaultSync.mount}/${vaultPath}`,
          }
        : undefined,
  };
}

/** The namespace of the max-previews Lease: an existing namespace's name (DNS-1123 label), used as given. */
export function parseCapLeaseNamespace(raw: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw))
    throw new InputError(
      'cap-lease-namespace',
      raw,
      'must be the name of an existing namespace (lowercase letters, digits and -, at most 63 characters)',
    );
  return raw;
}
