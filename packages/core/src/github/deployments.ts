/**
 * GitHub Deployments for previews: one deployment per head SHA in the PR's environment
 * (`preview/pr-N`), transient and never production, stamped with our ownership marks in its
 * payload. Statuses always carry `environment_url` when the URL is known (GitHub's "View
 * deployment" button shows the latest status's URL, so a status without it loses the button)
 * and `log_url`. Removal touches only deployments of exactly the named environment whose marks
 * name this repository AND this PR, so another PR's preview is never marked inactive, even when a
 * template (or someone else) put two PRs' deployments in one environment.
 */
import { MANAGED_BY } from '../marks.js';
import type { RemovalResult } from '../removal.js';
import type { GitHubClient } from './client.js';
import { statusOf } from './client.js';
import type { PreviewState } from './comment-model.js';

export type DeploymentStatusState = 'queued' | 'in_progress' | 'success' | 'failure' | 'inactive' | 'error' | 'pending';

/** The marks a deployment's payload carries (GitHub keeps `payload` verbatim). */
export interface DeploymentMarks {
  'managed-by': typeof MANAGED_BY;
  repository: string;
  pr: number;
}

export interface DeploymentSummary {
  id: number;
  sha: string;
  environment: string;
  createdAt: string;
  /** Our marks, when the payload carries them. */
  marks?: DeploymentMarks;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** The GitHub deployment status a preview state maps to; undefined = no deployment change. */
export function deploymentStatusFor(state: PreviewState): DeploymentStatusState | undefined {
  switch (state) {
    case 'queued':
      return 'queued';
    case 'building':
    case 'deploying':
      return 'in_progress';
    case 'ready':
    case 'sleeping': // deployed and reachable: the first request wakes it
      return 'success';
    case 'failed':
      return 'failure';
    case 'destroyed':
      return 'inactive';
    default:
      return undefined;
  }
}

/** Our marks from a deployment payload (object or JSON text), or undefined. */
export function deploymentMarks(payload: unknown): DeploymentMarks | undefined {
  let p = payload;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch {
      return undefined;
    }
  }
  if (typeof p !== 'object' || p === null) return undefined;
  const o = p as Record<string, unknown>;
  const pr = Number(o.pr);
  if (o['managed-by'] !== MANAGED_BY || typeof o.repository !== 'string' || !Number.isInteger(pr) || pr <= 0)
    return undefined;
  return { 'managed-by': MANAGED_BY, repository: o.repository, pr };
}

/** True when the deployment's payload marks it as this repository's preview of this PR. */
export function isOurDeployment(d: Pick<DeploymentSummary, 'marks'>, repository: string, pr: number): boolean {
  return d.marks !== undefined && d.marks.repository === repository && d.marks.pr === pr;
}

/** Why a deployment is not ours (for the removal table), or undefined when it is. */
function notOursReason(d: DeploymentSummary, repository: string, pr: number): string | undefined {
  if (!d.marks) return 'payload carries no preview-fleet marks';
  if (d.marks.repository !== repository) return `marked for ${d.marks.repository}, not ${repository}`;
  if (d.marks.pr !== pr) return `marked for PR #${d.marks.pr}, not #${pr}`;
  return undefined;
}

function summary(d: any): DeploymentSummary {
  return {
    id: d.id,
    sha: String(d.sha ?? ''),
    environment: String(d.environment ?? ''),
    createdAt: String(d.created_at ?? ''),
    marks: deploymentMarks(d.payload),
  };
}

/** Deployments of exactly `environment` (optionally of one SHA), every page. */
export async function listDeployments(
  client: GitHubClient,
  ref: RepoRef & { environment: string; sha?: string },
): Promise<DeploymentSummary[]> {
  const all = await client.paginate(client.rest.repos.listDeployments, {
    owner: ref.owner,
    repo: ref.repo,
    environment: ref.environment,
    ...(ref.sha ? { sha: ref.sha } : {}),
    per_page: 100,
  });
  // The environment filter is GitHub's; checking it again here is what keeps other PRs safe.
  return all.map(summary).filter((d) => d.environment === ref.environment && (!ref.sha || d.sha === ref.sha));
}

/** One deployment by id, or undefined when GitHub says it does not exist (404). */
export async function getDeployment(
  client: GitHubClient,
  ref: RepoRef & { id: number },
): Promise<DeploymentSummary | undefined> {
  try {
    const { data } = await client.rest.repos.getDeployment({ owner: ref.owner, repo: ref.repo, deployment_id: ref.id });
    return summary(data);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export interface EnsureDeploymentOptions extends RepoRef {
  environment: string;
  sha: string;
  /** owner/name, stamped into the payload. */
  repository: string;
  pr: number;
  description?: string;
}

/** The deployment of this SHA in this environment, created once (ours, marked) and reused after. */
export async function ensureDeployment(
  client: GitHubClient,
  o: EnsureDeploymentOptions,
): Promise<{ id: number; created: boolean }> {
  const existing = (await listDeployments(client, o)).filter((d) => isOurDeployment(d, o.repository, o.pr));
  if (existing.length > 0) return { id: Math.min(...existing.map((d) => d.id)), created: false };
  const payload: DeploymentMarks = { 'managed-by': MANAGED_BY, repository: o.repository, pr: o.pr };
  const res = await client.rest.repos.createDeployment({
    owner: o.owner,
    repo: o.repo,
    ref: o.sha,
    environment: o.environment,
    transient_environment: true,
    production_environment: false,
    required_contexts: [],
    auto_merge: false,
    task: 'deploy',
    description: (o.description ?? `Preview of PR #${o.pr}`).slice(0, 140),
    payload: payload as unknown as Record<string, unknown>,
  });
  // 202 means GitHub merged the base branch instead of deploying; auto_merge false prevents it.
  const id = (res.data as { id?: number }).id;
  if (res.status !== 201 || typeof id !== 'number') {
    throw new Error(
      `GitHub did not create a deployment for ${o.sha.slice(0, 7)} (HTTP ${res.status}): ${JSON.stringify(res.data)}`,
    );
  }
  return { id, created: true };
}

export interface StatusOptions extends RepoRef {
  deploymentId: number;
  state: DeploymentStatusState;
  environmentUrl?: string;
  logUrl?: string;
  description?: string;
}

/** One status on a deployment; `environment_url` and `log_url` are sent whenever known. */
export async function createDeploymentStatus(client: GitHubClient, o: StatusOptions): Promise<number> {
  const { data } = await client.rest.repos.createDeploymentStatus({
    owner: o.owner,
    repo: o.repo,
    deployment_id: o.deploymentId,
    state: o.state,
    ...(o.environmentUrl ? { environment_url: o.environmentUrl } : {}),
    ...(o.logUrl ? { log_url: o.logUrl } : {}),
    ...(o.description ? { description: o.description.slice(0, 140) } : {}),
  });
  return data.id;
}

/**
 * The `environment_url` a status should repeat when its update brings none: GitHub shows only the
 * latest status's URL as "View deployment", so a redeploy's queued and in-progress statuses would
 * hide the button. Looks at `deploymentId`'s own statuses (unless it was just created), then at
 * the newest of this PR's other deployments (our marks) in `environment`; prefers `service`'s (our statuses'
 * descriptions start with "<service>:"). Undefined for a new preview.
 */
export async function lastEnvironmentUrl(
  client: GitHubClient,
  o: RepoRef & { environment: string; deploymentId: number; pr: number; created?: boolean; service?: string },
): Promise<string | undefined> {
  let any: string | undefined;
  const fromStatuses = async (id: number): Promise<string | undefined> => {
    const { data } = await client.rest.repos.listDeploymentStatuses({
      owner: o.owner,
      repo: o.repo,
      deployment_id: id,
      per_page: 100,
    });
    for (const st of [...data].sort((a, b) => b.id - a.id)) {
      if (!st.environment_url) continue;
      if (!o.service || st.description?.startsWith(`${o.service}:`)) return st.environment_url;
      any ??= st.environment_url;
    }
    return undefined;
  };
  if (!o.created) {
    const own = await fromStatuses(o.deploymentId);
    if (own) return own;
  }
  const others = (await listDeployments(client, o))
    .filter((d) => d.id !== o.deploymentId && isOurDeployment(d, `${o.owner}/${o.repo}`, o.pr))
    .sort((a, b) => b.id - a.id);
  for (const d of others.slice(0, 3)) {
    const url = await fromStatuses(d.id);
    if (url) return url;
  }
  return any;
}

/**
 * Marks every deployment of this PR in `environment` inactive (the "destroyed" step); returns the
 * ids touched. Deployments of other environments, other PRs or without our marks are left alone.
 */
export async function deactivateDeployments(
  client: GitHubClient,
  o: RepoRef & { environment: string; pr: number; logUrl?: string },
): Promise<number[]> {
  const done: number[] = [];
  for (const d of await listDeployments(client, o)) {
    if (!isOurDeployment(d, `${o.owner}/${o.repo}`, o.pr)) continue;
    try {
      await createDeploymentStatus(client, {
        ...o,
        deploymentId: d.id,
        state: 'inactive',
        logUrl: o.logUrl,
        description: 'Preview removed',
      });
      done.push(d.id);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
  return done;
}

/**
 * Teardown's removal of PR `pr`'s deployments: each in exactly `environment` whose marks name this
 * repository and this PR is set inactive (GitHub deletes only inactive deployments) and then
 * deleted; 404 at either step means another run removed it first (already-gone). Any other
 * deployment (unmarked, another repository's, another PR's) is reported and kept.
 */
export async function deactivateAndDeleteDeployments(
  client: GitHubClient,
  o: RepoRef & { environment: string; pr: number },
): Promise<RemovalResult[]> {
  const results: RemovalResult[] = [];
  for (const d of await listDeployments(client, o)) {
    const name = `${o.environment}#${d.id}`;
    const reason = notOursReason(d, `${o.owner}/${o.repo}`, o.pr);
    if (reason !== undefined) {
      results.push({ kind: 'deployment', name, status: 'skipped-unmarked', reason });
      continue;
    }
    try {
      await createDeploymentStatus(client, {
        ...o,
        deploymentId: d.id,
        state: 'inactive',
        description: 'Preview removed',
      });
      await client.rest.repos.deleteDeployment({ owner: o.owner, repo: o.repo, deployment_id: d.id });
      results.push({ kind: 'deployment', name, status: 'deleted' });
    } catch (err) {
      if (statusOf(err) === 404) results.push({ kind: 'deployment', name, status: 'already-gone' });
      else
        results.push({
          kind: 'deployment',
          name,
          status: 'failed',
          reason: String((err as Error)?.message ?? err).split('\n')[0],
        });
    }
  }
  return results;
}

export interface PreviewEnvironment {
  environment: string;
  /** From the marks, else from a `preview/pr-N` name. */
  pr: number;
  /** True when every deployment in it carries our marks for this repository. */
  marked: boolean;
  deployments: DeploymentSummary[];
  /** Newest deployment's creation time (ISO-8601). */
  lastDeployedAt: string;
}

const PREVIEW_ENV = /^preview\/pr-(\d+)$/;

/**
 * The reaper's view of GitHub: every environment with deployments named `preview/pr-N` or
 * carrying our marks for `repository`, grouped per environment (one paginated listing).
 */
export async function listPreviewEnvironments(client: GitHubClient, repository: string): Promise<PreviewEnvironment[]> {
  const [owner, repo] = repository.split('/') as [string, string];
  const all = (await client.paginate(client.rest.repos.listDeployments, { owner, repo, per_page: 100 })).map(summary);
  const groups = new Map<string, DeploymentSummary[]>();
  for (const d of all) {
    const ours = d.marks?.repository === repository;
    if (!ours && !PREVIEW_ENV.test(d.environment)) continue;
    groups.set(d.environment, [...(groups.get(d.environment) ?? []), d]);
  }
  const out: PreviewEnvironment[] = [];
  for (const [environment, deployments] of groups) {
    const fromName = PREVIEW_ENV.exec(environment);
    const pr = deployments.find((d) => d.marks)?.marks?.pr ?? (fromName ? Number(fromName[1]) : 0);
    if (!pr) continue;
    out.push({
      environment,
      pr,
      deployments,
      marked: deployments.every((d) => d.marks?.repository === repository && d.marks.pr === pr),
      lastDeployedAt:
        deployments
          .map((d) => d.createdAt)
          .sort()
          .at(-1) ?? '',
    });
  }
  return out.sort((a, b) => a.pr - b.pr || (a.environment < b.environment ? -1 : 1));
}
