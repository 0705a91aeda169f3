/**
 * Binds teardown's ports to the real adapters (helm/kubectl, Vault, ECR, GitHub), shared by the
 * teardown action and the reaper. Sessions are opened lazily, at their step: a Vault that cannot
 * be reached fails the Vault step and nothing else.
 */
import type { GitHubClient } from '../github/client.js';
import { deactivateAndDeleteDeployments } from '../github/deployments.js';
import { deleteMarkedNamespaces, deleteNamespace, uninstallRelease } from '../kube/removal.js';
import type { KubeTools } from '../kube/tools.js';
import type { OwnershipMarks } from '../marks.js';
import type { EcrSession } from '../registry/client.js';
import { removeEcrRepository } from '../registry/removal.js';
import type { RemovalResult } from '../removal.js';
import type { KvVersion } from '../vault/paths.js';
import { removeVaultPath } from '../vault/removal.js';
import type { VaultSession } from '../vault/session.js';
import { remainingMs, withinDeadline } from '../runtime/deadline.js';
import { announceTeardownNote } from '../forge/status-note.js';
import type { Forge } from '../forge/types.js';
import type { RenderContext } from '../github/comment-render.js';
import { announceTeardown } from './teardown-comment.js';
import { renderRemovalTable, type TeardownPorts } from './teardown.js';

export interface TeardownAdapters {
  /** owner/name */
  repository: string;
  kube: KubeTools;
  /** Longest helm uninstall / namespace wait; cut to what the step deadline leaves (minus a reserve for the later steps). */
  timeoutMs: number;
  vault?: { session: () => Promise<VaultSession>; mount: string; kvVersion: KvVersion; allowedPrefix: string };
  ecr?: () => Promise<EcrSession>;
  github?: {
    client: GitHubClient;
    serverUrl: string;
    runId: number;
    runAttempt: number;
    runUrl?: string;
    /** Services the comment should show even if it does not list them yet. */
    services: string[];
    /** Whether to update the sticky comment (never created here). */
    comment: boolean;
    /** Whether to deactivate and delete the environment's deployments. */
    deployments: boolean;
    /** Our own login (the `comment-author` input): only its marker comments are edited. */
    commentAuthor: string;
  };
  /**
   * The status note on another forge (GitLab), updated like GitHub's comment (never created);
   * used when `github` is not set.
   */
  note?: {
    forge: Forge;
    /** Our own username: only its marker notes are edited. */
    author: string;
    services: string[];
    runId: number;
    runAttempt: number;
    runUrl?: string;
    render: RenderContext;
  };
  now: () => number;
  /** Writes a warning to the job log. */
  logWarning?(message: string): void;
}

/** Memoizes a lazy session so every step of every PR shares one login. */
export function once<T>(open: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= open());
}

export function bindTeardownPorts(a: TeardownAdapters): TeardownPorts {
  const [owner, repo] = a.repository.split('/') as [string, string];
  const gh = a.github;
  const wait = (): number => withinDeadline(a.timeoutMs, Math.min(30_000, remainingMs() / 3));
  const ports: TeardownPorts = {
    logWarning: a.logWarning,
    uninstallRelease: (t) =>
      uninstallRelease(a.kube, {
        release: t.release,
        namespace: t.namespace,
        owner: { repository: a.repository, pr: t.pr },
        timeoutMs: wait(),
        namespaceMarks: t.namespaceMarks,
      }),
    deleteNamespace: (name, pr) =>
      deleteNamespace(a.kube, { name, owner: { repository: a.repository, pr }, timeoutMs: wait() }),
    deleteMarkedNamespaces: (items: Array<{ name: string; marks: OwnershipMarks }>) =>
      deleteMarkedNamespaces(a.kube, items, { repository: a.repository, timeoutMs: wait() }),
  };
  if (a.vault) {
    const v = a.vault;
    ports.removeVaultPath = async (path, pr): Promise<RemovalResult> => {
      let session: VaultSession;
      try {
        session = await v.session();
      } catch (err) {
        return {
          kind: 'vault-path',
          name: `${v.mount}/${path}`,
          status: 'failed',
          reason: `Vault login failed: ${String((err as Error)?.message ?? err).split('\n')[0]}`,
        };
      }
      return removeVaultPath(session, {
        mount: v.mount,
        kvVersion: v.kvVersion,
        path,
        owner: { repository: a.repository, pr },
        allowedPrefix: v.allowedPrefix,
      });
    };
  }
  if (a.ecr) {
    const ecr = a.ecr;
    ports.removeRepository = async (name, pr) =>
      removeEcrRepository(await ecr(), { name, owner: { repository: a.repository, pr } });
  }
  if (gh?.deployments) {
    ports.removeDeployments = async (environment, pr) => {
      const rs = await deactivateAndDeleteDeployments(gh.client, { owner, repo, environment, pr });
      return rs.length ? rs : [{ kind: 'deployment', name: environment, status: 'already-gone' }];
    };
  }
  if (gh?.comment) {
    ports.announce = async (pr, state, results) => {
      const failed = results.some((r) => r.status === 'failed');
      await announceTeardown(gh.client, {
        owner,
        repo,
        pr,
        author: gh.commentAuthor,
        services: gh.services,
        runId: gh.runId,
        runAttempt: gh.runAttempt,
        runUrl: gh.runUrl,
        serverUrl: gh.serverUrl,
        now: a.now(),
        state: state === 'tearing-down' ? 'tearing-down' : failed ? 'failed' : 'destroyed',
        details: state === 'destroyed' ? renderRemovalTable(results) : undefined,
      });
    };
  }
  const note = a.note;
  if (!gh?.comment && note) {
    ports.announce = async (pr, state, results) => {
      const failed = results.some((r) => r.status === 'failed');
      await announceTeardownNote(note.forge, {
        number: pr,
        author: note.author,
        services: note.services,
        runId: note.runId,
        runAttempt: note.runAttempt,
        runUrl: note.runUrl,
        render: note.render,
        now: a.now(),
        state: state === 'tearing-down' ? 'tearing-down' : failed ? 'failed' : 'destroyed',
        details: state === 'destroyed' ? renderRemovalTable(results) : undefined,
      });
    };
  }
  return ports;
}
