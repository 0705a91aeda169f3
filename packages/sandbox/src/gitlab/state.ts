/**
 * Everything the GitLab stand-in remembers: users, tokens, projects with their merge requests,
 * notes and environments. Ids are instance-wide sequences; `iid`s count per project, as on GitLab.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '@preview-fleet/core/clock';

/** GitLab's access levels (docs: "Roles and permissions", `access_level` in the Members API). */
export const AccessLevel = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

export interface GitLabUser {
  id: number;
  username: string;
  name: string;
  /** True for project/group access token users (`project_<id>_bot_<hex>`) and service accounts. */
  bot: boolean;
}

/** How a token was presented and what it may do. */
export type TokenKind = 'personal' | 'project' | 'job';

export interface TokenRecord {
  kind: TokenKind;
  user: GitLabUser;
  /** Project tokens: the project they belong to; job tokens: the job's project. */
  projectId?: number;
  scopes: string[];
  revoked: boolean;
  /** Epoch ms; undefined = never. */
  expiresAt?: number;
}

export interface NoteState {
  id: number;
  body: string;
  author: GitLabUser;
  system: boolean;
  internal: boolean;
  createdAt: number;
  updatedAt: number;
}

export type MergeRequestStatus = 'opened' | 'closed' | 'merged' | 'locked';

export interface MergeRequestState {
  id: number;
  iid: number;
  title: string;
  description: string;
  state: MergeRequestStatus;
  sourceBranch: string;
  targetBranch: string;
  /** The source branch's head commit (GitLab's `sha`). */
  sha: string;
  labels: string[];
  author: GitLabUser;
  draft: boolean;
  createdAt: number;
  updatedAt: number;
  closedAt?: number;
  closedBy?: GitLabUser;
  mergedAt?: number;
  mergedBy?: GitLabUser;
  mergeCommitSha?: string;
  notes: NoteState[];
}

export interface EnvironmentState {
  id: number;
  name: string;
  slug: string;
  externalUrl: string | null;
  state: 'available' | 'stopping' | 'stopped';
  tier: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  autoStopAt: number | null;
}

export interface ProjectState {
  id: number;
  /** Last path segment, e.g. "web". */
  path: string;
  /** Full namespace path, e.g. "acme" or "acme/platform". */
  namespace: string;
  name: string;
  visibility: 'private' | 'internal' | 'public';
  defaultBranch: string;
  /** user id → access level. */
  members: Map<number, number>;
  mergeRequests: Map<number, MergeRequestState>;
  nextIid: number;
  environments: Map<number, EnvironmentState>;
  /** Project ids whose job tokens may call this project (its own always may). */
  jobTokenAllowlist: Set<number>;
}

export interface GitLabState {
  clock: Clock;
  baseUrl: string;
  users: Map<number, GitLabUser>;
  projects: Map<number, ProjectState>;
  tokens: Map<string, TokenRecord>;
  nextId(kind: string): number;
  nextSha(seed: string): string;
}

/** A fresh state: no users, no projects. */
export function newState(clock: Clock): GitLabState {
  const seq = new Map<string, number>();
  let shaCounter = 0;
  return {
    clock,
    baseUrl: '',
    users: new Map(),
    projects: new Map(),
    tokens: new Map(),
    nextId(kind) {
      const n = (seq.get(kind) ?? 0) + 1;
      seq.set(kind, n);
      return n;
    },
    nextSha: (seed) =>
      createHash('sha1')
        .update(`${seed}:${(shaCounter += 1)}`)
        .digest('hex'),
  };
}

/** Full path, e.g. "acme/web". */
export const pathWithNamespace = (p: ProjectState): string => `${p.namespace}/${p.path}`;

export function addUser(state: GitLabState, username: string, opts: { name?: string; bot?: boolean } = {}): GitLabUser {
  const existing = [...state.users.values()].find((u) => u.username === username);
  if (existing !== undefined) return existing;
  const user: GitLabUser = {
    id: state.nextId('user'),
    username,
    name: opts.name ?? username,
    bot: opts.bot ?? false,
  };
  state.users.set(user.id, user);
  return user;
}

/**
 * A token string in GitLab's formats: `glpat-` for personal and project access tokens,
 * `glcbt-` for CI/CD job tokens (GitLab 16.8+ prefixes), 20 random characters after it.
 */
export function mintToken(state: GitLabState, rec: TokenRecord): string {
  const prefix = rec.kind === 'job' ? 'glcbt-' : 'glpat-';
  const t = `${prefix}${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`;
  state.tokens.set(t, rec);
  return t;
}

/** The user a project access token acts as: `project_<id>_bot_<32 hex>` (GitLab 16.x naming), a bot. */
export function projectBotUser(state: GitLabState, projectId: number, name: string): GitLabUser {
  return addUser(state, `project_${projectId}_bot_${randomBytes(16).toString('hex')}`, { name, bot: true });
}

/** GitLab's environment slug: lowercase, non-alphanumerics to "-", at most 24 characters, plus a 6-character suffix when changed. */
export function environmentSlug(name: string): string {
  let slug = name.toLowerCase().replace(/[^a-z0-9]/g, '-');
  slug = slug.replace(/^[^a-z]+/, '').replace(/-+/g, '-');
  const changed = slug !== name;
  slug = slug.slice(0, changed ? 17 : 24).replace(/-+$/, '');
  if (slug === '') slug = 'env';
  if (!changed) return slug;
  const suffix = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${slug}-${suffix}`;
}
