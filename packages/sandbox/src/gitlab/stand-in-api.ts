/**
 * The GitLab stand-in's public surface: options, the state helpers tests drive (projects, users,
 * tokens, MRs, pushes, labels, foreign notes) and the inspection API (log, counters, contract).
 */
import type { Clock } from '@preview-fleet/core/clock';
import type { GitLabClaims, GitLabIdTokenIssuer } from '../oidc/gitlab-issuer.js';
import type { GitLabFault, GitLabRequestRecord } from './handler.js';
import type { JobEnvironment } from './job-environment.js';
import type { GitLabState, GitLabUser } from './state.js';

export type Json = Record<string, any>;

export interface GitLabStandInOptions {
  /** Drives timestamps, rate-limit windows and injected latency (FakeClock in tests). Default: real time. */
  clock?: Clock;
  /** Authenticated API requests per user per minute before 429 (GitLab.com: 2000). */
  rateLimit?: number;
}

/** A project reference for the helpers: its id or its full path ("acme/web"). */
export type ProjectRef = number | string;

export interface OpenMergeRequestOptions {
  /** Default: the project's next iid. */
  iid?: number;
  /** Head commit; default a fresh SHA. */
  sha?: string;
  labels?: string[];
  /** Username (created when new) or a user; default "developer". */
  author?: string | GitLabUser;
  sourceBranch?: string;
  targetBranch?: string;
  title?: string;
  description?: string;
  draft?: boolean;
}

export interface IdTokenOptions {
  aud: string | string[];
  mergeRequestIid?: number;
  /** Who runs the pipeline (default "developer"). */
  user?: string | GitLabUser;
  /** The job's `environment: name:` (adds environment, environment_protected, deployment_tier, environment_action). */
  environment?: string;
  environmentAction?: 'start' | 'stop' | 'prepare' | 'verify' | 'access';
  /** Any other claim to set or override (e.g. pipeline_source: 'schedule', ref: 'main'). */
  claims?: Partial<GitLabClaims>;
  ttlSeconds?: number;
}

export interface GitLabStandIn {
  /** Instance URL (CI_SERVER_URL); the API is at `${url}/api/v4` (CI_API_V4_URL). */
  url: string;
  /** The state, for advanced tests. */
  state: GitLabState;
  /**
   * The instance's ID token issuer (`iss` = `url`); the stand-in serves its JWKS at
   * `${url}/oauth/discovery/keys` and discovery at `${url}/.well-known/openid-configuration`, so
   * `startVault({ oidc: { issuer: gl.url, jwksUrl: gl.idTokens.jwksUrl } })` verifies its tokens.
   */
  idTokens: GitLabIdTokenIssuer;
  /**
   * The ID token a job of `project` gets for `id_tokens: NAME: aud: <aud>`: project, namespace and
   * user claims from the state; with `mergeRequestIid`, a merge_request_event pipeline of that MR
   * (ref = source branch, sha = its head, ref_path = refs/merge-requests/<iid>/head).
   */
  issueIdToken(project: ProjectRef, opts: IdTokenOptions): string;
  /** Creates a private project ("group/name" or "group/sub/name"); `developer` is a Developer of it. */
  createProject(path: string, opts?: { visibility?: 'private' | 'internal' | 'public'; defaultBranch?: string }): Json;
  /** A user (returned as is when the username exists). */
  addUser(username: string, opts?: { name?: string; bot?: boolean }): GitLabUser;
  /** Makes `user` a member of the project at `level` (AccessLevel.developer, …). */
  addMember(project: ProjectRef, user: string | GitLabUser, level: number): void;
  /** A personal access token for `user` (scope `api` unless told). */
  createPersonalAccessToken(user: string | GitLabUser, opts?: { scopes?: string[]; expiresAt?: number }): string;
  /** A project access token: a new bot user, member at `accessLevel` (default Maintainer, GitLab's API default). */
  createProjectAccessToken(
    project: ProjectRef,
    opts?: { name?: string; accessLevel?: number; scopes?: string[]; expiresAt?: number },
  ): { token: string; user: GitLabUser };
  /** A CI_JOB_TOKEN for a job of `project` run by `user` (default "developer"); revoke it when the job ends. */
  createJobToken(project: ProjectRef, opts?: { user?: string | GitLabUser }): string;
  /** Revokes any token (a finished job's, a rotated access token). */
  revokeToken(token: string): void;
  /** Lets job tokens of `from` call `project` (the job token allowlist). */
  allowJobTokenFrom(project: ProjectRef, from: ProjectRef): void;
  /** Opens an MR through the same state the endpoints use; returns it as the API renders it. */
  openMergeRequest(project: ProjectRef, opts?: OpenMergeRequestOptions): Json;
  /** A push to the MR's source branch: new head SHA and a system note "added 1 commit", as GitLab writes. */
  push(project: ProjectRef, iid: number, opts?: { sha?: string; by?: string | GitLabUser }): string;
  closeMergeRequest(project: ProjectRef, iid: number, opts?: { by?: string | GitLabUser }): void;
  mergeMergeRequest(project: ProjectRef, iid: number, opts?: { by?: string | GitLabUser }): void;
  reopenMergeRequest(project: ProjectRef, iid: number): void;
  addLabels(project: ProjectRef, iid: number, labels: string[]): void;
  removeLabels(project: ProjectRef, iid: number, labels: string[]): void;
  /** A note by someone else (e.g. a user pasting our marker); returns the note as rendered. */
  addNote(
    project: ProjectRef,
    iid: number,
    body: string,
    opts?: { author?: string | GitLabUser; system?: boolean },
  ): Json;
  /** The MR as the API renders it, or undefined. */
  mergeRequest(project: ProjectRef, iid: number): Json | undefined;
  /** The MR's notes, oldest first, as rendered (system notes included). */
  notes(project: ProjectRef, iid: number): Json[];
  /** The project's environments as rendered, by id. */
  environments(project: ProjectRef): Json[];
  /**
   * What GitLab does when a job with `environment:` succeeds (gitlab-ci-local talks to no GitLab):
   * start creates or revives it with the url and auto_stop_in, stop stops it. Returns it rendered.
   */
  applyJobEnvironment(project: ProjectRef, env: JobEnvironment): Json | undefined;
  injectFault(f: GitLabFault): void;
  clearFaults(): void;
  /** Requests per operation (e.g. "MergeRequestNotes.create"); "<METHOD> <status>" when unrouted. */
  counters(): Record<string, number>;
  requestLog(): GitLabRequestRecord[];
  /** Clears counters and the request log (not state, not violations). */
  resetCounters(): void;
  /** Unserved endpoints, undocumented parameters and stand-in errors seen so far. */
  contractViolations(): string[];
  /** Throws listing every violation since the last call (then forgets them). */
  assertContract(): void;
  stop(): Promise<void>;
}
