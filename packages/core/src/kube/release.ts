/**
 * A Helm release's record and the recovery of a stuck one. An interrupted run (cancelled job,
 * lost runner) leaves the release `pending-install`, `pending-upgrade` or `pending-rollback`, and
 * every later upgrade fails with "another operation (install/upgrade/rollback) is in progress"
 * (helm/helm#7476); we roll back to the last deployed revision, or uninstall when there is none.
 * A pending revision is also what a deploy that is running right now looks like, so it counts
 * as stuck only once Helm's `updated` time (history JSON; info.last_deployed) is older than
 * `stuck-after`; a younger one, or one whose age we cannot read, is left alone.
 */
import { ActionError } from '../runtime/errors.js';
import { log } from '../runtime/outputs.js';
import { formatDuration } from '../runtime/parse.js';
import { CommandError } from '../exec.js';
import { historyArgs, rollbackArgs, statusArgs, uninstallArgs } from './helm-args.js';
import { runHelm, type DetectedTools, type KubeTools } from './tools.js';

export const PENDING_STATUSES = ['pending-install', 'pending-upgrade', 'pending-rollback'] as const;

export interface ReleaseStatus {
  name: string;
  namespace: string;
  revision: number;
  /** deployed, failed, pending-upgrade, … */
  status: string;
  /** Helm's description of the last operation (the error on a failed one). */
  description: string;
  chart?: string;
  notes?: string;
}

export interface HistoryEntry {
  revision: number;
  status: string;
  description: string;
  chart?: string;
  updated?: string;
}

/** "release: not found" (helm 3 and 4 word it the same). */
function isReleaseNotFound(err: unknown): boolean {
  return err instanceof CommandError && /release: not found|not found/i.test(err.stderr);
}

/** `helm status -o json`, or undefined when the release does not exist. */
export async function getReleaseStatus(
  tools: KubeTools,
  release: string,
  namespace: string,
): Promise<ReleaseStatus | undefined> {
  try {
    const r = await runHelm(tools, statusArgs({ release, namespace }));
    return parseReleaseStatus(r.stdout);
  } catch (err) {
    if (isReleaseNotFound(err)) return undefined;
    throw err;
  }
}

/** Parses `helm status -o json` (same shape in Helm 3 and 4). */
export function parseReleaseStatus(json: string): ReleaseStatus {
  const r = JSON.parse(json);
  return {
    name: String(r.name ?? ''),
    namespace: String(r.namespace ?? ''),
    revision: Number(r.version ?? 0),
    status: String(r.info?.status ?? 'unknown'),
    description: String(r.info?.description ?? ''),
    chart: r.chart?.metadata ? `${r.chart.metadata.name}-${r.chart.metadata.version}` : undefined,
    notes: typeof r.info?.notes === 'string' ? r.info.notes : undefined,
  };
}

/** `helm history -o json`, oldest first; [] when the release does not exist. */
export async function getReleaseHistory(tools: KubeTools, release: string, namespace: string): Promise<HistoryEntry[]> {
  try {
    const r = await runHelm(tools, historyArgs({ release, namespace }));
    return parseReleaseHistory(r.stdout);
  } catch (err) {
    if (isReleaseNotFound(err)) return [];
    throw err;
  }
}

export function parseReleaseHistory(json: string): HistoryEntry[] {
  const list = JSON.parse(json || '[]');
  if (!Array.isArray(list)) return [];
  return list
    .map((e: any) => ({
      revision: Number(e.revision),
      status: String(e.status ?? ''),
      description: String(e.description ?? ''),
      chart: e.chart,
      updated: e.updated,
    }))
    .sort((a, b) => a.revision - b.revision);
}

export type Recovery =
  | { action: 'none' }
  | { action: 'rolled-back'; from: number; fromStatus: string; to: number; ageMs: number; stuckAfterMs: number }
  | { action: 'uninstalled'; from: number; fromStatus: string; ageMs: number; stuckAfterMs: number }
  /** Pending, but younger than stuck-after (or of unknown age): another deploy may be running it; touch nothing. */
  | { action: 'in-progress'; from: number; fromStatus: string; ageMs?: number; stuckAfterMs: number };

export interface RecoveryClock {
  /** Epoch ms now. */
  now: number;
  /** A pending revision whose last update is at least this old is stuck (deploy-helm's `stuck-after`). */
  stuckAfterMs: number;
}

/**
 * The plan for a pending release: older than `stuckAfterMs` → roll back to the newest revision
 * that was deployed (or superseded) before it, or uninstall when there is none; younger, or
 * with no readable `updated`, → `in-progress` (never rolled back or uninstalled: don't know
 * destroys nothing).
 */
export function planRecovery(history: HistoryEntry[], at: RecoveryClock): Recovery {
  const last = history[history.length - 1];
  if (!last || !(PENDING_STATUSES as readonly string[]).includes(last.status)) return { action: 'none' };
  const updated = last.updated ? Date.parse(last.updated) : NaN;
  const ageMs = Number.isFinite(updated) ? Math.max(0, at.now - updated) : undefined;
  const base = { from: last.revision, fromStatus: last.status, stuckAfterMs: at.stuckAfterMs };
  if (ageMs === undefined || ageMs < at.stuckAfterMs)
    return { action: 'in-progress', ...base, ...(ageMs === undefined ? {} : { ageMs }) };
  const good = [...history]
    .reverse()
    .find((e) => e.revision < last.revision && (e.status === 'deployed' || e.status === 'superseded'));
  return good
    ? { action: 'rolled-back', ...base, ageMs, to: good.revision }
    : { action: 'uninstalled', ...base, ageMs };
}

/** "12m" (whole seconds) for messages. */
const age = (ms: number): string => formatDuration(Math.floor(ms / 1000) * 1000);

/** Why a pending release was not touched, for the error: another deploy appears to be running it. */
export function describeInProgress(
  release: string,
  namespace: string,
  r: Extract<Recovery, { action: 'in-progress' }>,
): string {
  const since = r.ageMs === undefined ? 'with no readable update time' : `last updated ${age(r.ageMs)} ago`;
  return (
    `Release "${release}" in "${namespace}" is ${r.fromStatus} (revision ${r.from}, ${since}): another deploy appears to be running it right now. ` +
    `A pending release is treated as stuck (and rolled back or uninstalled) only once it is older than stuck-after (${formatDuration(r.stuckAfterMs)}); not deploying.`
  );
}

/** Describes a recovery for the log, the summary and the PR comment. */
export function describeRecovery(release: string, r: Recovery): string | undefined {
  if (r.action === 'rolled-back') {
    return `Release "${release}" was stuck in ${r.fromStatus} (revision ${r.from}, last updated ${age(r.ageMs)} ago, over stuck-after ${formatDuration(r.stuckAfterMs)}: an interrupted earlier run); rolled back to revision ${r.to} before deploying.`;
  }
  if (r.action === 'uninstalled') {
    return `Release "${release}" was stuck in ${r.fromStatus} (revision ${r.from}, last updated ${age(r.ageMs)} ago, over stuck-after ${formatDuration(r.stuckAfterMs)}) with no deployed revision to return to; uninstalled it before deploying.`;
  }
  return undefined;
}

/** Carries out a recovery plan (rollback or uninstall), waiting for the result. */
export async function applyRecovery(
  tools: DetectedTools,
  release: string,
  namespace: string,
  plan: Recovery,
  timeoutMs: number,
): Promise<void> {
  if (plan.action === 'none') return;
  if (plan.action === 'in-progress')
    throw new ActionError(describeInProgress(release, namespace, plan), { hint: IN_PROGRESS_HINT });
  log.warning(describeRecovery(release, plan)!, 'Stuck Helm release');
  try {
    if (plan.action === 'rolled-back') {
      await runHelm(tools, rollbackArgs(tools.helmMajor, { release, namespace, revision: plan.to, timeoutMs }));
    } else {
      await runHelm(tools, uninstallArgs(tools.helmMajor, { release, namespace, timeoutMs, wait: true }));
    }
  } catch (err) {
    throw new ActionError(
      `Could not recover Helm release "${release}" in "${namespace}" from ${plan.fromStatus}: ${(err as Error).message}`,
      {
        hint: `Recover it by hand with "helm rollback ${release} -n ${namespace}" or "helm uninstall ${release} -n ${namespace}"`,
        cause: err,
      },
    );
  }
}

/** What to do about a release another deploy appears to be running. */
export const IN_PROGRESS_HINT =
  'Wait for the other run to finish and re-run this job; if no other run is deploying it, the release is recovered automatically once it is older than stuck-after (or lower stuck-after)';
