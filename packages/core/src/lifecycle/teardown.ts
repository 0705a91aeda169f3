/**
 * Teardown of one PR's preview, in the order the design fixes: comment "tearing down" → helm
 * uninstall per service → namespace (waited for, marked only) → Vault paths (marked only) →
 * ECR repositories (marked only) → deployments inactive then deleted → comment "destroyed".
 * Every step is attempted even when an earlier one failed; the report says what each did.
 */
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import type { RemovalResult, ResourceKind } from '../removal.js';

export interface TeardownTarget {
  service: string;
  release: string;
  namespace: string;
  /** Vault path (relative to the mount) when Vault removal is enabled. */
  vaultPath?: string;
  /** ECR repository name when ECR removal is enabled. */
  ecrRepository?: string;
}

/** The adapters teardown drives; the actions bind them to helm/kubectl, Vault, ECR and GitHub. */
export interface TeardownPorts {
  /** Updates the sticky comment; failures are warnings, never a failed teardown. */
  announce?(state: 'tearing-down' | 'destroyed', results: RemovalResult[]): Promise<void>;
  uninstallRelease(target: { release: string; namespace: string }): Promise<RemovalResult>;
  deleteNamespace(name: string): Promise<RemovalResult>;
  removeVaultPath?(path: string): Promise<RemovalResult>;
  removeRepository?(name: string): Promise<RemovalResult>;
  removeDeployments?(environment: string): Promise<RemovalResult[]>;
  warn?(message: string): void;
}

export interface TeardownReport {
  pr: number;
  results: RemovalResult[];
  /** True when any step failed: the job fails, after every step was attempted. */
  failed: boolean;
  /** True when nothing existed (a PR that never had a preview). */
  nothingFound: boolean;
}

async function attempt(kind: ResourceKind, name: string, step: () => Promise<RemovalResult>): Promise<RemovalResult> {
  try {
    return await step();
  } catch (err) {
    return { kind, name, status: 'failed', reason: redact(errorText(err)).split('\n')[0] };
  }
}

export async function teardownPreview(ports: TeardownPorts, args: { pr: number; targets: TeardownTarget[]; environment?: string }): Promise<TeardownReport> {
  const results: RemovalResult[] = [];
  const announce = async (state: 'tearing-down' | 'destroyed'): Promise<void> => {
    if (!ports.announce) return;
    try {
      await ports.announce(state, results);
    } catch (err) {
      ports.warn?.(`Could not update the PR comment (${state}): ${redact(errorText(err))}`);
    }
  };
  await announce('tearing-down');
  for (const t of args.targets) {
    results.push(await attempt('release', `${t.namespace}/${t.release}`, () => ports.uninstallRelease(t)));
  }
  for (const ns of [...new Set(args.targets.map((t) => t.namespace))]) {
    results.push(await attempt('namespace', ns, () => ports.deleteNamespace(ns)));
  }
  if (ports.removeVaultPath) {
    for (const path of [...new Set(args.targets.map((t) => t.vaultPath).filter((p): p is string => !!p))]) {
      results.push(await attempt('vault-path', path, () => ports.removeVaultPath!(path)));
    }
  }
  if (ports.removeRepository) {
    for (const repo of [...new Set(args.targets.map((t) => t.ecrRepository).filter((r): r is string => !!r))]) {
      results.push(await attempt('ecr-repository', repo, () => ports.removeRepository!(repo)));
    }
  }
  if (ports.removeDeployments && args.environment) {
    const env = args.environment;
    try {
      results.push(...(await ports.removeDeployments(env)));
    } catch (err) {
      results.push({ kind: 'deployment', name: env, status: 'failed', reason: redact(errorText(err)).split('\n')[0] });
    }
  }
  await announce('destroyed');
  return {
    pr: args.pr,
    results,
    failed: results.some((r) => r.status === 'failed'),
    nothingFound: results.every((r) => r.status === 'already-gone'),
  };
}

const ICON: Record<RemovalResult['status'], string> = {
  deleted: '🗑️ deleted', 'already-gone': '✅ already gone', 'skipped-unmarked': '⛔ skipped (not ours)', failed: '❌ failed',
};

/** The per-resource table for the PR comment, the job summary and the log. */
export function renderRemovalTable(results: RemovalResult[]): string {
  if (results.length === 0) return '_Nothing to remove._';
  const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return ['| resource | name | result | detail |', '| --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.kind} | \`${esc(r.name)}\` | ${ICON[r.status]} | ${esc(r.reason ?? '')} |`)].join('\n');
}
