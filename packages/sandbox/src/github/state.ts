/**
 * Everything the GitHub stand-in remembers: repositories, issues and PRs, comments, labels,
 * deployments and their statuses, environments, tokens.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '@preview-fleet/core/clock';

/** Who made a request or owns an object. */
export interface Actor {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

/** What GITHUB_TOKEN acts as inside Actions. */
export const actionsBot: Actor = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  user: Actor;
  createdAt: number;
  updatedAt: number;
}

export interface PullState {
  headRef: string;
  /** "owner/name" of the fork the head branch lives in; undefined for a same-repository PR. */
  headRepo?: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt?: number;
  mergeCommitSha?: string;
  mergedBy?: Actor;
}

/** Issues and pull requests share one number sequence per repository, as on GitHub. */
export interface IssueState {
  number: number;
  id: number;
  title: string;
  body: string | null;
  user: Actor;
  state: 'open' | 'closed';
  labels: string[];
  createdAt: number;
  updatedAt: number;
  closedAt?: number;
  pull?: PullState;
  comments: CommentState[];
}

export interface LabelState {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface StatusState {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';
  creator: Actor;
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  targetUrl: string;
  createdAt: number;
}

export interface DeploymentState {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  originalEnvironment: string;
  description: string | null;
  creator: Actor;
  createdAt: number;
  updatedAt: number;
  transient: boolean;
  production: boolean;
  statuses: StatusState[];
}

export interface EnvironmentState {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
}

export interface RepoState {
  owner: string;
  name: string;
  id: number;
  createdAt: number;
  defaultBranch: string;
  /** branch → head SHA; branches come into being on demand. */
  branches: Map<string, string>;
  issues: Map<number, IssueState>;
  nextNumber: number;
  labels: Map<string, LabelState>;
  deployments: DeploymentState[];
  environments: Map<string, EnvironmentState>;
  /** sha → context → state (commit statuses, for deployments' required_contexts). */
  commitStatuses: Map<string, Map<string, 'error' | 'failure' | 'pending' | 'success'>>;
  /** login (lowercase) → role; anyone else has read (public) or none. */
  collaborators: Map<string, CollaboratorRole>;
}

/** A collaborator's role, as GitHub's role_name says it. */
export type CollaboratorRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface GitHubState {
  clock: Clock;
  /** The stand-in's own base URL, for `url` fields and Link headers. */
  baseUrl: string;
  repos: Map<string, RepoState>;
  nextId: () => number;
  /** A fresh 40-hex SHA (deterministic per stand-in). */
  nextSha: (seed: string) => string;
}

export function newState(clock: Clock): GitHubState {
  let id = 1000;
  let shaCounter = 0;
  return {
    clock,
    baseUrl: '',
    repos: new Map(),
    nextId: () => ++id,
    nextSha: (seed) => createHash('sha1').update(`${seed}:${++shaCounter}`).digest('hex'),
  };
}

/** The repository `owner/name`, created on first use with a `main` branch. */
export function repoOf(state: GitHubState, owner: string, name: string): RepoState {
  const key = `${owner}/${name}`.toLowerCase();
  let repo = state.repos.get(key);
  if (repo === undefined) {
    repo = {
      owner,
      name,
      id: state.nextId(),
      createdAt: state.clock.now(),
      defaultBranch: 'main',
      branches: new Map(),
      issues: new Map(),
      nextNumber: 1,
      labels: new Map(),
      deployments: [],
      environments: new Map(),
      commitStatuses: new Map(),
      collaborators: new Map(),
    };
    repo.branches.set('main', state.nextSha(`${key}:main`));
    state.repos.set(key, repo);
  }
  return repo;
}

/** A branch's head SHA, creating the branch (from the default branch's history) when new. */
export function branchSha(state: GitHubState, repo: RepoState, branch: string): string {
  let sha = repo.branches.get(branch);
  if (sha === undefined) {
    sha = state.nextSha(`${repo.owner}/${repo.name}:${branch}`);
    repo.branches.set(branch, sha);
  }
  return sha;
}

/** The label, created with GitHub's default grey when first used (as adding an unknown label does). */
export function labelOf(state: GitHubState, repo: RepoState, name: string): LabelState {
  let label = repo.labels.get(name.toLowerCase());
  if (label === undefined) {
    label = { id: state.nextId(), name, color: 'ededed', description: null };
    repo.labels.set(name.toLowerCase(), label);
  }
  return label;
}

/** Marks activity on an issue or PR (GitHub bumps `updated_at` on comments, labels, pushes, state changes). */
export function touch(state: GitHubState, issue: IssueState): void {
  issue.updatedAt = Math.max(state.clock.now(), issue.updatedAt);
}

/** A deployment's current state: its latest status, or "pending" before any. */
export function deploymentState(d: DeploymentState): StatusState['state'] | 'pending' {
  return d.statuses.at(-1)?.state ?? 'pending';
}
