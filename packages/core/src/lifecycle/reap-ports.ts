/**
 * Binds the reaper's ports to the real adapters: one namespace list, one `helm list -A`, ECR
 * repositories by tag, Vault paths by custom_metadata, deployments of `preview/pr-*`
 * environments, open PRs listed once (100 per page, with labels; any failing page fails the list),
 * one PR read per PR to be reaped as closed or missing, and the GitHub writes the
 * reaper makes (warning comment, stale label, close).
 */
import { githubForge } from '../forge/github.js';
import type { Forge } from '../forge/types.js';
import { listPreviewEnvironments } from '../github/deployments.js';
import { listMarkedNamespaces, listReleasesByNamespace, markNamespaceWarned } from '../kube/inventory.js';
import { detectTools } from '../kube/tools.js';
import { sleepNamespace } from '../kube/sleep.js';
import { addRequests, describeCost, namespaceRequests, type Prices, type Requests } from '../kube/cost.js';
import { SLEEP_NOTES } from '../github/comment-model.js';
import { announceTeardown } from './teardown-comment.js';
import { listMarkedRepositories } from '../registry/removal.js';
import { listMarkedPaths } from '../vault/removal.js';
import type { ReaperPorts } from './reap.js';
import { bindTeardownPorts, type TeardownAdapters } from './teardown-ports.js';

export const WARNING_MARKER = '<!-- preview-fleet:reaper-warning -->';

/**
 * The comment a PR gets when the reaper marks it stale (shown verbatim in reap-orphans' README;
 * a test keeps the two equal).
 */
export function staleMarkText(o: {
  idleDays: number;
  staleLabel: string;
  keepLabel: string;
  closeAfterDays: number;
}): string {
  const closing =
    o.closeAfterDays > 0
      ? ` Without activity it will be closed in ${o.closeAfterDays} days and its preview removed.`
      : '';
  return `💤 No activity for ${o.idleDays} days: this PR is marked \`${o.staleLabel}\`.${closing} Any update removes the mark's effect; \`${o.keepLabel}\` exempts it.`;
}

/** The comment a stale PR gets when the reaper closes it (also shown in reap-orphans' README). */
export function staleCloseText(o: { idleDays: number; staleLabel: string }): string {
  return `🔒 Closing: no activity for ${o.idleDays} days after being marked \`${o.staleLabel}\`. The preview is being removed now; reopen the PR and add the label to get it back.`;
}

export interface ReaperAdapters extends TeardownAdapters {
  /** GitHub: PRs, comments and deployment environments through the GitHub client. */
  github?: NonNullable<TeardownAdapters['github']>;
  /** Another forge (GitLab): its change requests and notes; used when `github` is not set. */
  forge?: Forge;
  keepLabel: string;
  staleLabel: string;
  closeAfterDays: number;
  /** Prices for the sleeping comment's estimate (storage only); absent: none. */
  prices?: Prices;
}

export function bindReaperPorts(a: ReaperAdapters): ReaperPorts {
  const forge: Forge | undefined = a.github ? githubForge(a.github.client, a.repository, a.github.serverUrl) : a.forge;
  if (!forge) throw new Error('bindReaperPorts needs github or forge: the reaper lists open change requests');
  const gh = a.github;
  const comment = (pr: number, body: string) => forge.createNote(pr, body);
  const ports: ReaperPorts = {
    listOpenPullRequests: () => forge.listOpenChangeRequests(),
    getPullRequest: (pr) => forge.getChangeRequest(pr),
    listNamespaces: () => listMarkedNamespaces(a.kube, a.repository),
    listReleases: async () =>
      listReleasesByNamespace(
        a.kube,
        (await detectTools({ helm: a.kube.helm, kubectl: a.kube.kubectl, env: a.kube.env })).helmMajor,
      ),
    listEnvironments: gh
      ? async () =>
          (await listPreviewEnvironments(gh.client, a.repository)).map((e) => ({ name: e.environment, pr: e.pr }))
      : undefined,
    async warnOfRemoval(plan, removeAt) {
      await comment(
        plan.pr,
        [
          WARNING_MARKER,
          `⏳ **This preview will be removed at ${removeAt}** (it expires then${plan.expiresAt && plan.expiresAt !== removeAt ? `; expiry was ${plan.expiresAt}` : ''}).`,
          '',
          `Push a commit to redeploy (which renews it), or add the \`${a.keepLabel}\` label to keep it.`,
        ].join('\n'),
      );
      const at = new Date(a.now()).toISOString();
      for (const ns of plan.resources.filter((r) => r.kind === 'namespace'))
        await markNamespaceWarned(a.kube, ns.name, at);
    },
    async markStale(pr, idleDays) {
      await forge.addLabels(pr, [a.staleLabel]);
      await comment(
        pr,
        staleMarkText({ idleDays, staleLabel: a.staleLabel, keepLabel: a.keepLabel, closeAfterDays: a.closeAfterDays }),
      );
    },
    async closePullRequest(pr, idleDays) {
      await comment(pr, staleCloseText({ idleDays, staleLabel: a.staleLabel }));
      await forge.close(pr);
    },
    async sleepPreview(s) {
      const at = new Date(a.now()).toISOString();
      let asleep: Requests = { cpu: 0, memoryGiB: 0, storageGiB: 0 };
      for (const ns of s.namespaces) {
        await sleepNamespace(a.kube, ns, { repository: a.repository, pr: s.pr }, at);
        if (a.prices) asleep = addRequests(asleep, await namespaceRequests(a.kube, ns));
      }
      // Only services the comment already shows move to sleeping; a PR without our comment gets none.
      // On another forge (GitLab) the note is left as it is: the log and the summary say it slept.
      if (!gh) return;
      const [owner, repo] = a.repository.split('/') as [string, string];
      await announceTeardown(gh.client, {
        owner,
        repo,
        pr: s.pr,
        author: gh.commentAuthor,
        services: [],
        runId: gh.runId,
        runAttempt: gh.runAttempt,
        runUrl: gh.runUrl,
        serverUrl: gh.serverUrl,
        now: a.now(),
        state: 'sleeping',
        stateNote: SLEEP_NOTES.policy,
        cost: a.prices ? describeCost(asleep, a.prices) : undefined,
        details: `No deploy since ${s.deployedAt}: put to sleep at ${at} (replica counts kept on each workload).`,
      });
    },
    namespaceRequests: (ns) => namespaceRequests(a.kube, ns),
    teardown: bindTeardownPorts(a),
    logWarning: a.logWarning,
  };
  if (a.vault) {
    const v = a.vault;
    ports.listVaultPaths = async () =>
      listMarkedPaths(await v.session(), {
        mount: v.mount,
        kvVersion: v.kvVersion,
        prefix: v.allowedPrefix,
        repository: a.repository,
      });
  }
  if (a.ecr) {
    const ecr = a.ecr;
    ports.listRepositories = async () =>
      (await listMarkedRepositories(await ecr(), a.repository)).map((r) => ({ name: r.name, marks: r.marks }));
  }
  return ports;
}
