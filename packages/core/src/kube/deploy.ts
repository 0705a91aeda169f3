/**
 * Deploying one service's preview: still wanted? → cap → namespace (marked, guarded) →
 * guardrails → stuck release recovered → `helm upgrade --install --wait` with one generated
 * values file → revision, or diagnostics when it failed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PullRequestInfo } from '../context.js';
import { type Clock, systemClock } from '../clock.js';
import { ActionError, errorText } from '../runtime/errors.js';
import { log } from '../runtime/outputs.js';
import { redact } from '../runtime/secrets.js';
import { remainingMs, withinDeadline } from '../runtime/deadline.js';
import { LABELS, MANAGED_BY, newMarks, repoLabelValue, type OwnershipMarks } from '../marks.js';
import type { CapPolicy } from './cap.js';
import { claimSlot } from './cap-lease.js';
import {
  collectDiagnostics,
  headlineReasons,
  mergeDiagnostics,
  renderDiagnostics,
  type Diagnostics,
} from './diagnostics.js';
import { appSecretManifest } from './app-secret.js';
import { basicAuthSecretManifest } from './basic-auth.js';
import { guardrailManifests, type GuardrailOptions } from './guardrails.js';
import { upgradeArgs } from './helm-args.js';
import { applyManifests, claimNamespace, guardNamespace, namespaceManifest, readNamespace } from './namespace.js';
import {
  applyRecovery,
  describeInProgress,
  describeRecovery,
  IN_PROGRESS_HINT,
  getReleaseHistory,
  parseReleaseStatus,
  planRecovery,
  type Recovery,
  type ReleaseStatus,
} from './release.js';
import { kubectlTools, runHelm, type DetectedTools, type KubeTools } from './tools.js';
import { renderValuesFile, type Values } from './values.js';
import { SLEEPING_SINCE_ANNOTATION, wakeNamespace } from './sleep.js';

export interface DeployPlan {
  repository: string;
  pr: number;
  service: string;
  headSha?: string;
  namespace: string;
  release: string;
  chart: string;
  chartVersion?: string;
  /** The user's values files, passed first in this order. */
  valuesFiles: string[];
  /** Our generated values, passed after the user's files. */
  values: Values;
  url?: string;
  /**
   * The step's `timeout`. Under a step deadline (`setStepTimeout`) helm's own wait gets what is
   * left of it less `HELM_DIAGNOSTICS_RESERVE_MS`, so a release that never gets ready fails with
   * diagnostics before the step's hard bound; without one, helm waits this long.
   */
  timeoutMs: number;
  /** A pending release at least this old is stuck and recovered; a younger one is another deploy's (deploy fails). */
  stuckAfterMs: number;
  atomic: boolean;
  ttlMs: number;
  /** Awake previews per repository; 0 = no cap. */
  maxPreviews: number;
  /** A full cap: put the least recently deployed preview to sleep, or fail. */
  capPolicy?: CapPolicy;
  /** Where the Lease arbitrating the cap lives (default `default`). */
  capLeaseNamespace?: string;
  guardrails: Omit<GuardrailOptions, 'namespace'>;
  /**
   * The PR's Vault copy as a marked Secret (issue 16 part 1): `name` in the namespace, `source`
   * the Vault path; `data` is filled in (masked) after the Vault read, before anything is created.
   */
  appSecret?: { name: string; source: string; data?: Record<string, string> };
  /** The ingress's basic-auth Secret and the login it holds (kept in the PR's Vault path `source`). */
  basicAuth?: { name: string; source: string; user: string; password: string };
}

export type StillWanted = { wanted: true } | { wanted: false; reason: string };

/**
 * Is the PR still open, opted in and at the commit this run was started for? A deploy that
 * finishes after the PR closed would resurrect a namespace teardown already removed; a re-run
 * of an older workflow run would put an old image live while the comment shows the newer one.
 * `label` '' means no label is required; `headSha` undefined (workflow_dispatch) skips the commit check.
 */
export function stillWanted(
  pr: PullRequestInfo | undefined,
  number: number,
  label: string,
  headSha?: string,
): StillWanted {
  if (!pr) return { wanted: false, reason: `pull request #${number} does not exist` };
  if (pr.state !== 'open')
    return { wanted: false, reason: `pull request #${number} is ${pr.merged ? 'merged' : 'closed'}` };
  if (label && !pr.labels.includes(label))
    return { wanted: false, reason: `pull request #${number} no longer has the "${label}" label` };
  if (headSha && pr.headSha && pr.headSha !== headSha) {
    return {
      wanted: false,
      reason: `this run is for commit ${headSha.slice(0, 12)} but pull request #${number}'s head is now ${pr.headSha.slice(0, 12)} (a re-run of an older workflow run); the run for the new head deploys it`,
    };
  }
  return { wanted: true };
}

export interface DeployResult {
  status: 'deployed' | 'failed' | 'skipped';
  namespace: string;
  release: string;
  url?: string;
  revision?: number;
  /** Why it was skipped or failed (one paragraph). */
  message?: string;
  recovery?: Recovery;
  recoveryMessage?: string;
  /** Markdown for the PR comment when it failed. */
  diagnostics?: string;
  namespaceCreated?: boolean;
  /** Time in each step, ms. */
  timings: Record<string, number>;
}

export interface DeployPorts {
  /** helm + kubectl with helm's major, or the detection still running (it overlaps the other reads). */
  tools: DetectedTools | Promise<DetectedTools>;
  /** How to reach the cluster before detection ends (its request timeout); default helm and kubectl from PATH. */
  kubectl?: KubeTools;
  /** Re-reads the PR right before anything is created (undefined skips the check). */
  checkStillWanted?: () => Promise<StillWanted>;
  clock?: Clock;
  /** Directory for the generated values file (default RUNNER_TEMP or the OS temp dir). */
  tempDir?: string;
}

/** Release labels: our marks on Helm's release record, so the reaper can find releases too. */
export function releaseLabels(m: OwnershipMarks): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, [LABELS.repo]: repoLabelValue(m.repository), [LABELS.pr]: String(m.pr) };
}

/** Kept back from helm's wait for the diagnostics of a failed release (at most a quarter of the step). */
export const HELM_DIAGNOSTICS_RESERVE_MS = 30_000;

/**
 * helm's `--timeout` now: the step's time left less the diagnostics reserve (the whole `timeoutMs`
 * without a deadline), halved when helm may roll back: Helm's rollback after a failed `--atomic`
 * (Helm 4 `--rollback-on-failure`) upgrade waits with the same timeout again.
 */
export function helmWaitMs(timeoutMs: number, rollsBack: boolean): number {
  if (remainingMs() === Number.POSITIVE_INFINITY) return timeoutMs;
  const left = withinDeadline(timeoutMs, Math.min(HELM_DIAGNOSTICS_RESERVE_MS, timeoutMs / 4));
  return rollsBack ? Math.max(1000, Math.floor(left / 2)) : left;
}

const isDetected = (t: DetectedTools | Promise<DetectedTools>): t is DetectedTools =>
  typeof (t as Promise<DetectedTools>).then !== 'function';

export async function deployPreview(plan: DeployPlan, ports: DeployPorts): Promise<DeployResult> {
  const clock = ports.clock ?? systemClock;
  const timings: Record<string, number> = {};
  const base = { namespace: plan.namespace, release: plan.release, url: plan.url, timings };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = clock.now();
    try {
      return await fn();
    } finally {
      timings[name] = clock.now() - t0;
    }
  };

  // The reads that need no major start before detection ends: helm and kubectl from PATH until then.
  const kubectl: KubeTools = isDetected(ports.tools) ? ports.tools : (ports.kubectl ?? kubectlTools());
  const toolsReady = Promise.resolve(ports.tools);
  // Every read at once, nothing written yet: helm's version, the PR as GitHub sees it now, the
  // namespace and the release's history (a stuck revision?).
  const [tools, wanted, nsState, history] = await timed('checks', () =>
    Promise.all([
      toolsReady,
      ports.checkStillWanted ? ports.checkStillWanted() : Promise.resolve<StillWanted>({ wanted: true }),
      readNamespace(kubectl, plan.namespace),
      // `helm history` reads the same in both majors, so it need not wait for the version.
      getReleaseHistory(kubectl, plan.release, plan.namespace),
    ]),
  );
  if (!wanted.wanted)
    return { ...base, url: undefined, status: 'skipped', message: `Not deploying: ${wanted.reason}.` };
  guardNamespace(plan.namespace, nsState, { repository: plan.repository, pr: plan.pr });
  // A pending release younger than stuck-after may be another deploy at work: refuse before writing anything.
  const recovery = planRecovery(history, { now: clock.now(), stuckAfterMs: plan.stuckAfterMs });
  if (recovery.action === 'in-progress')
    throw new ActionError(describeInProgress(plan.release, plan.namespace, recovery), { hint: IN_PROGRESS_HINT });
  // The cap's slot, arbitrated by the cluster (the all-in-one action claimed it before the build; this keeps it).
  if (plan.maxPreviews > 0) await timed('cap', () => claimSlot(kubectl, plan, clock));

  const marks = newMarks({
    repository: plan.repository,
    pr: plan.pr,
    service: plan.service,
    headSha: plan.headSha,
    now: clock.now(),
    ttlMs: plan.ttlMs,
  });
  const fences = guardrailManifests({ namespace: plan.namespace, ...plan.guardrails });
  const secret = plan.appSecret?.data
    ? [
        appSecretManifest({
          name: plan.appSecret.name,
          namespace: plan.namespace,
          data: plan.appSecret.data,
          marks,
          source: plan.appSecret.source,
        }),
      ]
    : [];
  const auth = plan.basicAuth;
  if (auth)
    secret.push(
      basicAuthSecretManifest({
        name: auth.name,
        namespace: plan.namespace,
        user: auth.user,
        password: auth.password,
        marks,
        vaultPath: auth.source,
      }),
    );
  // Created with a precondition when it was absent (never adopted if someone made it meanwhile),
  // then the marks refreshed and the fences (and the app's Secret) applied in one server-side apply.
  const claimed = await timed('namespace', async () => {
    const c = await claimNamespace(kubectl, plan.namespace, marks, nsState);
    await applyManifests(kubectl, [namespaceManifest(plan.namespace, marks, c.state), ...fences, ...secret]);
    return c;
  });
  log.info(
    `${claimed.created ? 'Created' : 'Refreshed'} namespace ${plan.namespace} (expires ${marks.expiresAt})${fences.length ? ` with ${fences.map((f) => f.kind).join(', ')}` : ''}`,
  );
  if (plan.appSecret?.data)
    log.info(
      `Applied Secret ${plan.appSecret.name} from Vault ${plan.appSecret.source} (${Object.keys(plan.appSecret.data).length} keys)`,
    );
  if (auth) log.info(`Applied Secret ${auth.name}: the ingress's basic auth, login kept in Vault ${auth.source}`);
  // A preview put to sleep by the reaper gets its replica counts back first: helm restores only
  // the fields a chart sets (not an HPA's or a chart without replicas), and never removes our note.
  if (claimed.state.annotations[SLEEPING_SINCE_ANNOTATION]) {
    const woken = await timed('wake', () =>
      wakeNamespace(kubectl, plan.namespace, { repository: plan.repository, pr: plan.pr }),
    );
    log.info(
      `Woke ${plan.namespace}: ${woken.map((w) => `${w.kind}/${w.name} → ${w.to}`).join(', ') || 'nothing was asleep'}`,
    );
  }

  if (recovery.action !== 'none')
    await timed('recovery', () =>
      applyRecovery(tools, plan.release, plan.namespace, recovery, helmWaitMs(plan.timeoutMs, true)),
    );
  const recoveryMessage = describeRecovery(plan.release, recovery);

  const dir = mkdtempSync(join(ports.tempDir ?? process.env.RUNNER_TEMP ?? tmpdir(), 'preview-fleet-values-'));
  const valuesFile = join(dir, 'preview-fleet-values.yaml');
  writeFileSync(valuesFile, renderValuesFile(plan.values), { mode: 0o600 });
  const helmTimeoutMs = helmWaitMs(plan.timeoutMs, plan.atomic);
  const args = upgradeArgs(tools.helmMajor, {
    release: plan.release,
    namespace: plan.namespace,
    chart: plan.chart,
    chartVersion: plan.chartVersion,
    valuesFiles: [...plan.valuesFiles, valuesFile],
    timeoutMs: helmTimeoutMs,
    atomic: plan.atomic,
    labels: releaseLabels(marks),
    description: plan.headSha
      ? `preview-fleet: PR #${plan.pr} at ${plan.headSha.slice(0, 12)}`
      : `preview-fleet: PR #${plan.pr}`,
    output: 'json',
  });
  // With atomic, helm rolls back before it returns and the failing pods are gone; a snapshot
  // shortly before helm's deadline keeps what they were waiting on (ImagePullBackOff, …).
  let snapshot: Promise<Diagnostics | undefined> | undefined;
  const timer = setTimeout(
    () => {
      snapshot = collectDiagnostics(tools, { namespace: plan.namespace }).catch(() => undefined);
    },
    Math.max(helmTimeoutMs - 3000, Math.floor(helmTimeoutMs * 0.8)),
  );
  timer.unref();
  let failure: unknown;
  let deployed: ReleaseStatus | undefined;
  try {
    // JSON output (never logged: it holds the values) gives the revision without another helm call.
    deployed = parseReleaseStatus((await timed('helm', () => runHelm(tools, args))).stdout);
  } catch (err) {
    failure = err;
  } finally {
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }

  if (failure !== undefined) {
    const lastError = redact(errorText(failure));
    const now = await timed('diagnostics', () =>
      collectDiagnostics(tools, { namespace: plan.namespace, release: plan.release }),
    );
    const d = mergeDiagnostics(now, await snapshot);
    const reasons = headlineReasons(d);
    const state = releaseAfterFailure(d.release, plan.atomic);
    return {
      ...base,
      status: 'failed',
      recovery,
      recoveryMessage,
      namespaceCreated: claimed.created,
      revision: d.release?.revision,
      message: `Helm ${tools.helmMajor === 4 ? '4' : '3'} upgrade of "${plan.release}" in "${plan.namespace}" failed${reasons.length ? ` — ${reasons.join(', ')}` : ''}${state}`,
      diagnostics: renderDiagnostics(d, { namespace: plan.namespace, release: plan.release, lastError }),
    };
  }
  if (!deployed) throw new ActionError(`Helm reported success but printed no release for "${plan.release}"`);
  return {
    ...base,
    status: 'deployed',
    revision: deployed.revision,
    recovery,
    recoveryMessage,
    namespaceCreated: claimed.created,
  };
}

/** What became of the release after a failed upgrade, for the one-line message. */
function releaseAfterFailure(release: ReleaseStatus | undefined, atomic: boolean): string {
  if (!release) return atomic ? ' (first install removed)' : '';
  // The upgrade failed, so a deployed release can only be the automatic rollback's result.
  if (release.status === 'deployed') return ` (rolled back: revision ${release.revision} is deployed)`;
  if (atomic)
    return ` (the automatic rollback failed too: release is ${release.status} at revision ${release.revision})`;
  return ` (release is ${release.status} at revision ${release.revision})`;
}
