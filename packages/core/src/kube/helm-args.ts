/**
 * argv for helm, per major. Helm 4 renamed `--atomic` to `--rollback-on-failure` and turned
 * `--wait` into a strategy (`--wait=watcher`, kstatus-based; Helm 3's `--wait` is its "legacy"
 * poller); every flag here exists in the major it is built for (checked against `helm --help`
 * of 3.17.3 and 4.1.4).
 */
import type { HelmMajor } from './tools.js';

/** Go duration text for helm's `--timeout` (whole seconds, at least 1). */
export function goDuration(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

export interface UpgradeArgs {
  release: string;
  namespace: string;
  chart: string;
  chartVersion?: string;
  /** Values files in order: the user's, then our generated one. */
  valuesFiles: string[];
  timeoutMs: number;
  /** Roll back (or, on a first install, uninstall) when the release fails. */
  atomic: boolean;
  /** Release labels (Helm ≥ 3.13 `--labels`): our ownership marks on the release record. */
  labels?: Record<string, string>;
  description?: string;
  /** `json` prints the release (with its values: never log it) instead of the human summary. */
  output?: 'json';
}

/** `helm upgrade --install --wait --timeout …` for `major`. */
export function upgradeArgs(major: HelmMajor, a: UpgradeArgs): string[] {
  const args = ['upgrade', a.release, a.chart, '--install', '--namespace', a.namespace];
  if (a.chartVersion) args.push('--version', a.chartVersion);
  for (const f of a.valuesFiles) args.push('--values', f);
  args.push(major === 4 ? '--wait=watcher' : '--wait', '--timeout', goDuration(a.timeoutMs));
  if (a.atomic) args.push(major === 4 ? '--rollback-on-failure' : '--atomic');
  // Resources a failed upgrade created are removed, so the next attempt starts clean.
  args.push('--cleanup-on-fail');
  if (a.labels && Object.keys(a.labels).length > 0) {
    args.push(
      '--labels',
      Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    );
  }
  if (a.description) args.push('--description', a.description);
  if (a.output) args.push('--output', a.output);
  return args;
}

/** `helm rollback <release> <revision>` waiting for the old revision to be ready again. */
export function rollbackArgs(
  major: HelmMajor,
  a: { release: string; namespace: string; revision: number; timeoutMs: number },
): string[] {
  return [
    'rollback',
    a.release,
    String(a.revision),
    '--namespace',
    a.namespace,
    major === 4 ? '--wait=watcher' : '--wait',
    '--timeout',
    goDuration(a.timeoutMs),
    '--cleanup-on-fail',
  ];
}

/** `helm uninstall`; "release not found" counts as done (`--ignore-not-found`, both majors). */
export function uninstallArgs(
  major: HelmMajor,
  a: { release: string; namespace: string; timeoutMs: number; wait?: boolean },
): string[] {
  const args = [
    'uninstall',
    a.release,
    '--namespace',
    a.namespace,
    '--ignore-not-found',
    '--timeout',
    goDuration(a.timeoutMs),
  ];
  if (a.wait) args.push(major === 4 ? '--wait=watcher' : '--wait');
  return args;
}

export function statusArgs(a: { release: string; namespace: string }): string[] {
  return ['status', a.release, '--namespace', a.namespace, '--output', 'json'];
}

export function historyArgs(a: { release: string; namespace: string; max?: number }): string[] {
  return ['history', a.release, '--namespace', a.namespace, '--max', String(a.max ?? 20), '--output', 'json'];
}
