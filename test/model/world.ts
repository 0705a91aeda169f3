/**
 * The system under the model test, in-process: two repositories sharing ONE Kubernetes stand-in
 * store and ONE Vault, the GitHub stand-in's own state (PRs, labels, comments, deployments,
 * environments) and an ECR registry, with core's lifecycle code (the deploy-helm still-wanted
 * check, namespace guard and manifest, marks, teardown, the reaper's inventory → plan → confirm →
 * teardown) driven against them through core's ports.
 *
 * Why not HTTP and helm/kubectl here: one GitHub request through the loopback stand-in costs about
 * 25 ms on this 2-core machine (Octokit + the OpenAPI contract check), a Vault one about 2 ms and
 * a helm/kubectl process 100+ ms; 10,000 sequences of ~15 commands would take hours. So the
 * outside systems are reached through core's own ports (`TeardownPorts`, `ReaperPorts` in
 * packages/core/src/lifecycle/*-ports.ts), bound by `world-ports.ts` to the stand-ins' *state*:
 * packages/sandbox's kube `ObjectStore` and GitHub `GitHubState` (the same objects the HTTP
 * stand-ins serve), and small maps for Vault KV v2 paths (custom_metadata) and ECR repositories
 * (tags), whose marks go through core's codecs. The real bundles, processes and HTTP stand-ins are
 * what test/model/e2e.itg.test.ts drives with the same model.
 */
import { FakeClock, type OwnershipMarks } from '@preview-fleet/core';
import { fromEcrTags, fromKube, fromVaultMetadata, isOwnedBy, LABELS, newMarks, toEcrTags } from '@preview-fleet/core';
import { toKubeLabels, toVaultMetadata } from '@preview-fleet/core';
import { pullRequestFromPayload, type PullRequestInfo } from '@preview-fleet/core';
import { guardNamespace, namespaceManifest, stillWanted, type NamespaceState } from '@preview-fleet/core/kube';
import { ObjectStore, type KubeObject } from '@preview-fleet/sandbox/kube';
import {
  newState,
  repoOf,
  type GitHubState,
  type IssueState,
  type RepoState,
} from '@preview-fleet/sandbox/github/state';
import { createPull, pushToPull } from '@preview-fleet/sandbox/github/routes-pulls';
import { planFor, POLICY, type PlannedNames } from './names.js';
import { ensureDeployment, setDeploymentState, upsertStickyComment } from './world-github.js';

/** A one-shot failure armed on the next call of one operation (what the stand-ins' `injectFault` does over HTTP). */
export interface Fault {
  /** One operation, or a whole system (`github`: every GitHub call fails — an outage). */
  op: FaultOp | FaultSystem;
  /** What the outside system answered, as its client would report it. */
  answer: '409' | '429' | '502' | 'timeout';
  /** How many matching calls fail (default 1). */
  calls?: number;
}

export const FAULT_SYSTEMS = ['github', 'kube', 'vault', 'ecr'] as const;
export type FaultSystem = (typeof FAULT_SYSTEMS)[number];

export const FAULT_OPS = [
  'github.list-pulls',
  'github.get-pull',
  'github.write',
  'github.list-environments',
  'kube.list-namespaces',
  'kube.list-releases',
  'kube.write',
  'kube.delete',
  'vault.list',
  'vault.read',
  'vault.write',
  'vault.delete',
  'ecr.list',
  'ecr.write',
  'ecr.delete',
] as const;
export type FaultOp = (typeof FAULT_OPS)[number];

export interface VaultEntry {
  data: Record<string, string>;
  customMetadata: Record<string, string>;
}
export interface EcrRepository {
  tags: Array<{ Key: string; Value: string }>;
}

/** Every deletion any run made, with whose run it was and whose marks the thing carried. */
export interface Deletion {
  actor: string;
  kind: string;
  name: string;
  owner?: OwnershipMarks;
}

/** The deploy workflow's steps, in order; a run stops (cancel / crash) only between two of them. */
export const DEPLOY_STEPS = ['comment', 'seed-vault', 'build-push', 'deploy-helm', 'ready'] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number];

export interface DeployRun {
  id: number;
  repo: string;
  pr: number;
  sha: string;
  /** Index of the next step. */
  next: number;
  /** When deploy-helm stamped the namespace's expires-at (now + ttl). */
  deployedAt?: number;
}

export class World {
  readonly clock = new FakeClock();
  readonly github: GitHubState = newState(this.clock);
  readonly kube = new ObjectStore({ clock: this.clock });
  readonly nsType = this.kube.types.byKind('Namespace')!;
  readonly secretType = this.kube.types.byKind('Secret')!;
  /** One Vault for both repositories: mount `secret`, KV v2, path → entry. */
  readonly vault = new Map<string, VaultEntry>();
  /** One ECR registry for both repositories. */
  readonly ecr = new Map<string, EcrRepository>();
  readonly faults: Fault[] = [];
  readonly deletions: Deletion[] = [];
  private runIds = 0;

  constructor(readonly repos: readonly string[]) {
    // Things that are not ours and must survive everything: stage secrets, a team's namespace.
    this.vault.set('stage/app', { data: { DATABASE_URL: 'postgres://stage/app' }, customMetadata: {} });
    this.kube.create(this.nsType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-payments' } });
  }

  /** Throws when a fault is armed for `op` (and disarms it): the call failed as the system answered. */
  call(op: FaultOp): void {
    const [system] = op.split('.');
    const i = this.faults.findIndex((f) => f.op === op || f.op === system);
    if (i < 0) return;
    const f = this.faults[i]!;
    f.calls = (f.calls ?? 1) - 1;
    if (f.calls <= 0) this.faults.splice(i, 1);
    throw new Error(
      f!.answer === 'timeout'
        ? `${system} did not answer within the request timeout (${op})`
        : `${system} answered ${f!.answer} (${op})`,
    );
  }

  repo(full: string): RepoState {
    const [owner, name] = full.split('/') as [string, string];
    return repoOf(this.github, owner, name);
  }

  issue(full: string, pr: number): IssueState | undefined {
    return this.repo(full).issues.get(pr);
  }

  /** A PR as `GET /pulls/{n}` reports it, through core's own payload reader. */
  pullInfo(full: string, i: IssueState): PullRequestInfo {
    return pullRequestFromPayload({
      number: i.number,
      state: i.state,
      merged: i.pull?.merged ?? false,
      merged_at: i.pull?.mergedAt ? new Date(i.pull.mergedAt).toISOString() : null,
      head: { sha: i.pull?.headSha, ref: i.pull?.headRef, repo: { full_name: full } },
      base: { ref: i.pull?.baseRef, repo: { full_name: full } },
      user: { login: i.user.login },
      labels: i.labels.map((name) => ({ name })),
      updated_at: new Date(i.updatedAt).toISOString(),
    });
  }

  openPullRequest(full: string, labelled: boolean): IssueState {
    const repo = this.repo(full);
    const issue = createPull(this.github, repo, { head: `feature-${repo.nextNumber}`, title: 'change' });
    if (labelled) issue.labels.push(POLICY.label);
    return issue;
  }

  /** A push to the PR's head branch (new head SHA, updated_at bumped). */
  push(full: string, issue: IssueState): string {
    return pushToPull(this.github, this.repo(full), issue);
  }

  startRun(repo: string, pr: number): DeployRun {
    return { id: ++this.runIds, repo, pr, sha: this.issue(repo, pr)!.pull!.headSha, next: 0 };
  }

  /** Runs the run's next step; 'ready' when the preview went live, 'skipped' when deploy-helm found it unwanted. */
  async step(run: DeployRun): Promise<'ok' | 'ready' | 'skipped' | 'failed'> {
    const step = DEPLOY_STEPS[run.next++]!;
    const names = planFor(run.repo, run.pr);
    const marks = newMarks({
      repository: run.repo,
      pr: run.pr,
      service: 'app',
      headSha: run.sha,
      now: this.clock.now(),
      ttlMs: POLICY.ttlMs,
    });
    try {
      switch (step) {
        case 'comment':
          this.call('github.write');
          this.upsertStickyComment(run.repo, run.pr, 'queued');
          this.ensureDeployment(run, names);
          return 'ok';
        case 'seed-vault':
          return this.seedVault(names, marks);
        case 'build-push':
          return this.ensureRepository(names, marks);
        case 'deploy-helm':
          return this.deployHelm(run, names, marks);
        case 'ready':
          this.call('github.write');
          this.upsertStickyComment(run.repo, run.pr, 'ready');
          this.ensureDeployment(run, names); // comment-status finds (or makes) this SHA's deployment
          this.setDeploymentState(run.repo, names.environment, 'success');
          return 'ready';
      }
    } catch {
      // The step failed: the run ends here (a red job), whatever it made stays for teardown or the reaper.
      run.next = DEPLOY_STEPS.length;
      return 'failed';
    }
  }

  private seedVault(names: PlannedNames, marks: OwnershipMarks): 'ok' {
    this.call('vault.write');
    const existing = this.vault.get(names.vaultPath);
    const had = existing && fromVaultMetadata(existing.customMetadata);
    if (!existing)
      this.vault.set(names.vaultPath, {
        data: { ...this.vault.get('stage/app')!.data },
        customMetadata: toVaultMetadata(marks),
      });
    // seed-vault reuses a path only when it is ours, and renews its expiry (renewVaultExpiry).
    else if (had && isOwnedBy(had, marks))
      existing.customMetadata = toVaultMetadata({ ...had, expiresAt: marks.expiresAt });
    else throw new Error(`Vault path ${names.vaultPath} is not ours`);
    return 'ok';
  }

  private ensureRepository(names: PlannedNames, marks: OwnershipMarks): 'ok' {
    this.call('ecr.write');
    const existing = this.ecr.get(names.ecrRepository);
    const had = existing && fromEcrTags(existing.tags);
    if (existing && !isOwnedBy(had, marks)) throw new Error('ECR repository is not ours');
    this.ecr.set(names.ecrRepository, { tags: toEcrTags(had ? { ...had, expiresAt: marks.expiresAt } : marks) });
    return 'ok';
  }

  /** deploy-helm: the still-wanted check on the PR as GitHub has it now, the namespace guard, marks, release. */
  private deployHelm(run: DeployRun, names: PlannedNames, marks: OwnershipMarks): 'ok' | 'skipped' {
    this.call('github.get-pull');
    const issue = this.issue(run.repo, run.pr);
    const wanted = stillWanted(issue && this.pullInfo(run.repo, issue), run.pr, POLICY.label, run.sha);
    if (!wanted.wanted) {
      run.next = DEPLOY_STEPS.length;
      return 'skipped';
    }
    // The app's Secret comes from the PR's Vault copy: deploy-helm reads it before anything is created.
    this.call('vault.read');
    if (!this.vault.has(names.vaultPath)) throw new Error(`Vault path secret/${names.vaultPath} not found`);
    this.call('kube.write');
    const ns = this.kube.get(this.nsType, undefined, names.namespace);
    const state: NamespaceState = ns
      ? {
          exists: true,
          marks: fromKube(ns.metadata.labels, ns.metadata.annotations),
          labels: ns.metadata.labels ?? {},
          annotations: ns.metadata.annotations ?? {},
          phase: 'Active',
        }
      : { exists: false, labels: {}, annotations: {} };
    guardNamespace(names.namespace, state, { repository: run.repo, pr: run.pr });
    const manifest = namespaceManifest(names.namespace, marks, state) as KubeObject;
    if (ns) this.kube.update(this.nsType, { ...manifest, metadata: { ...ns.metadata, ...manifest.metadata } });
    else this.kube.create(this.nsType, manifest);
    run.deployedAt = this.clock.now();
    const secretName = `sh.helm.release.v1.${names.release}.v1`;
    if (!this.kube.get(this.secretType, names.namespace, secretName))
      this.kube.create(this.secretType, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'helm.sh/release.v1',
        metadata: {
          name: secretName,
          namespace: names.namespace,
          labels: { name: names.release, owner: 'helm', ...toKubeLabels({ ...marks, service: undefined }) },
        },
      } as KubeObject);
    return 'ok';
  }

  upsertStickyComment(full: string, pr: number, state: string): void {
    upsertStickyComment(this, full, pr, state);
  }

  private ensureDeployment(run: DeployRun, names: PlannedNames): void {
    ensureDeployment(this, run, names.environment);
  }

  setDeploymentState(full: string, environment: string, state: 'success' | 'inactive'): void {
    setDeploymentState(this, full, environment, state);
  }

  /** Marked namespaces (any repository), with the marks core reads back. */
  markedNamespaces(): Array<{ name: string; marks: OwnershipMarks; warnedAt?: string }> {
    return this.kube
      .list(this.nsType)
      .filter((n) => n.metadata.labels?.[LABELS.managedBy] === 'preview-fleet')
      .flatMap((n) => {
        const marks = fromKube(n.metadata.labels, n.metadata.annotations);
        return marks ? [{ name: n.metadata.name, marks, warnedAt: n.metadata.annotations?.[WARNED_AT] }] : [];
      });
  }

  /** Helm release records: namespace → release names. */
  releases(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const s of this.kube
      .list(this.secretType)
      .filter((x) => (x as { type?: string }).type === 'helm.sh/release.v1'))
      out.set(s.metadata.namespace!, [...(out.get(s.metadata.namespace!) ?? []), s.metadata.labels!.name!]);
    return out;
  }
}

export const WARNED_AT = 'preview-fleet.dev/warned-at';
