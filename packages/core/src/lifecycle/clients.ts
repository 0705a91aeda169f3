/**
 * The clients teardown and the reaper remove things with — helm/kubectl, Vault, ECR and GitHub —
 * built once from the inputs both actions share. Vault and ECR sessions open lazily, at their
 * step, and once: a Vault that cannot be reached fails the Vault step and nothing else.
 */
import { type Clock, systemClock } from '../clock.js';
import type { ActionContext } from '../context.js';
import { createGitHubClient } from '../github/client.js';
import { kubectlTools } from '../kube/tools.js';
import { createEcrSession } from '../registry/client.js';
import { loginVault } from '../vault/session.js';
import type { VaultInputs } from './removal-inputs.js';
import { once, type TeardownAdapters } from './teardown-ports.js';

/** What the GitHub side does during a removal (the comment is updated, never created). */
export interface RemovalGitHubOptions {
  token: string;
  /** Our own login (the `comment-author` input): only its marker comments are edited. */
  commentAuthor: string;
  /** Services the comment should show even if it does not list them yet. */
  services: string[];
  /** Whether to deactivate and delete the environment's deployments. */
  deployments: boolean;
}

export interface RemovalClientOptions {
  ctx: Pick<ActionContext, 'repository' | 'apiUrl' | 'serverUrl' | 'runId' | 'runAttempt' | 'runUrl'>;
  /** Per request to every API (Kubernetes, Vault, ECR, GitHub). */
  requestTimeoutMs: number;
  /** Longest helm uninstall / namespace wait (see `TeardownAdapters.timeoutMs`). */
  timeoutMs: number;
  /** Undefined: no Vault removal. */
  vault?: VaultInputs;
  /** Undefined: no ECR removal. */
  awsRegion?: string;
  /** Undefined: the comment and deployments are left as they are. */
  github?: RemovalGitHubOptions;
  logWarning?(message: string): void;
  clock?: Clock;
}

type WithGitHub = TeardownAdapters & { github: NonNullable<TeardownAdapters['github']> };

/** The adapters `bindTeardownPorts` / `bindReaperPorts` drive, wired from the shared inputs. */
export function removalClients(o: RemovalClientOptions & { github: RemovalGitHubOptions }): WithGitHub;
export function removalClients(o: RemovalClientOptions): TeardownAdapters;
export function removalClients(o: RemovalClientOptions): TeardownAdapters {
  const { ctx, requestTimeoutMs, vault, awsRegion, github } = o;
  const clock = o.clock ?? systemClock;
  return {
    repository: ctx.repository,
    kube: kubectlTools({ requestTimeoutMs }),
    timeoutMs: o.timeoutMs,
    now: () => clock.now(),
    logWarning: o.logWarning,
    vault: vault && {
      mount: vault.mount,
      kvVersion: vault.kvVersion,
      allowedPrefix: vault.allowedPrefix,
      session: once(() =>
        loginVault({
          addr: vault.addr,
          namespace: vault.namespace,
          method: vault.method,
          role: vault.role,
          jwtAudience: vault.jwtAudience,
          roleId: vault.roleId,
          secretId: vault.secretId,
          token: vault.token,
          clock,
          requestTimeoutMs,
        }),
      ),
    },
    ecr: awsRegion ? once(async () => createEcrSession({ region: awsRegion, clock, requestTimeoutMs })) : undefined,
    github: github && {
      client: createGitHubClient(github.token, { baseUrl: ctx.apiUrl, requestTimeoutMs }),
      serverUrl: ctx.serverUrl,
      runId: ctx.runId,
      runAttempt: ctx.runAttempt,
      runUrl: ctx.runUrl,
      services: github.services,
      comment: true,
      deployments: github.deployments,
      commentAuthor: github.commentAuthor,
    },
  };
}
