/**
 * Core's teardown and reaper ports (packages/core/src/lifecycle/teardown-ports.ts and
 * reap-ports.ts) bound to the in-process world instead of helm/kubectl, Vault, ECR and GitHub
 * over HTTP — see world.ts for why. Each adapter does what the real one does to the stand-in's
 * state, ownership check included (core's `isOwnedBy` on the marks it reads back), and passes
 * through `world.call(op)`, where injected faults fire.
 */
import { fromEcrTags, fromKube, fromVaultMetadata, isOwnedBy, type RemovalResult } from '@preview-fleet/core';
import { deploymentMarks, isOurDeployment } from '@preview-fleet/core/github';
import { WARNING_MARKER, type ReaperPorts, type TeardownPorts } from '@preview-fleet/core/lifecycle';
import { addComment, addLabels } from '@preview-fleet/sandbox/github/routes-issues';
import { actionsBot } from '@preview-fleet/sandbox/github/state';
import { POLICY } from './names.js';
import { WARNED_AT, type World } from './world.js';

const failed = (kind: RemovalResult['kind'], name: string, err: unknown): RemovalResult => ({
  kind,
  name,
  status: 'failed',
  reason: (err as Error).message,
});

/** Teardown's ports for runs of `repository` (the teardown action, and the reaper's teardown). */
export function worldTeardownPorts(w: World, repository: string): TeardownPorts {
  const owner = (pr: number) => ({ repository, pr });
  const deleteNamespace = async (name: string, pr: number): Promise<RemovalResult> => {
    try {
      w.call('kube.delete');
      const ns = w.kube.get(w.nsType, undefined, name);
      if (!ns) return { kind: 'namespace', name, status: 'already-gone' };
      const marks = fromKube(ns.metadata.labels, ns.metadata.annotations);
      if (!isOwnedBy(marks, owner(pr))) return { kind: 'namespace', name, status: 'skipped-unmarked' };
      // The namespace controller removes everything in it, then the namespace (teardown waits for that).
      for (const s of w.kube.list(w.secretType, name)) w.kube.remove(w.secretType, name, s.metadata.name);
      w.kube.remove(w.nsType, undefined, name);
      w.deletions.push({ actor: repository, kind: 'namespace', name, owner: marks });
      return { kind: 'namespace', name, status: 'deleted' };
    } catch (err) {
      return failed('namespace', name, err);
    }
  };
  return {
    async uninstallRelease(t) {
      const name = `${t.namespace}/${t.release}`;
      try {
        const ns = w.kube.get(w.nsType, undefined, t.namespace);
        const marks = t.namespaceMarks ?? (ns && fromKube(ns.metadata.labels, ns.metadata.annotations));
        if (!ns && !t.namespaceMarks) return { kind: 'release', name, status: 'already-gone' };
        if (!isOwnedBy(marks, owner(t.pr))) return { kind: 'release', name, status: 'skipped-unmarked' };
        w.call('kube.delete');
        const secret = `sh.helm.release.v1.${t.release}.v1`;
        if (!w.kube.get(w.secretType, t.namespace, secret)) return { kind: 'release', name, status: 'already-gone' };
        w.kube.remove(w.secretType, t.namespace, secret);
        w.deletions.push({ actor: repository, kind: 'release', name, owner: marks });
        return { kind: 'release', name, status: 'deleted' };
      } catch (err) {
        return failed('release', name, err);
      }
    },
    deleteNamespace,
    async removeVaultPath(path, pr) {
      const name = `secret/${path}`;
      try {
        w.call('vault.delete');
        const e = w.vault.get(path);
        if (!e) return { kind: 'vault-path', name, status: 'already-gone' };
        const marks = fromVaultMetadata(e.customMetadata);
        if (!isOwnedBy(marks, owner(pr))) return { kind: 'vault-path', name, status: 'skipped-unmarked' };
        w.vault.delete(path);
        w.deletions.push({ actor: repository, kind: 'vault-path', name: path, owner: marks });
        return { kind: 'vault-path', name, status: 'deleted' };
      } catch (err) {
        return failed('vault-path', name, err);
      }
    },
    async removeRepository(name, pr) {
      try {
        w.call('ecr.delete');
        const r = w.ecr.get(name);
        if (!r) return { kind: 'ecr-repository', name, status: 'already-gone' };
        const marks = fromEcrTags(r.tags);
        if (!isOwnedBy(marks, owner(pr))) return { kind: 'ecr-repository', name, status: 'skipped-unmarked' };
        w.ecr.delete(name);
        w.deletions.push({ actor: repository, kind: 'ecr-repository', name, owner: marks });
        return { kind: 'ecr-repository', name, status: 'deleted' };
      } catch (err) {
        return failed('ecr-repository', name, err);
      }
    },
    async removeDeployments(environment, pr) {
      w.call('github.write');
      const repo = w.repo(repository);
      const results: RemovalResult[] = [];
      for (const d of repo.deployments.filter((x) => x.environment === environment)) {
        const name = `${environment}#${d.id}`;
        if (!isOurDeployment({ marks: deploymentMarks(d.payload) }, repository, pr)) {
          results.push({ kind: 'deployment', name, status: 'skipped-unmarked' });
          continue;
        }
        repo.deployments.splice(repo.deployments.indexOf(d), 1);
        w.deletions.push({ actor: repository, kind: 'deployment', name, owner: deploymentMarks(d.payload) as never });
        results.push({ kind: 'deployment', name, status: 'deleted' });
      }
      return results.length ? results : [{ kind: 'deployment', name: environment, status: 'already-gone' }];
    },
    async announce(pr, state) {
      w.call('github.write');
      const issue = w.issue(repository, pr);
      if (issue?.comments.some((c) => c.user.login === actionsBot.login)) w.upsertStickyComment(repository, pr, state);
    },
  };
}

/** The reaper's ports for `repository`: inventories of the shared stores, filtered by its marks. */
export function worldReaperPorts(w: World, repository: string): ReaperPorts {
  const [, repoName] = repository.split('/');
  const issueOf = (pr: number) => w.issue(repository, pr);
  const comment = (pr: number, body: string) => {
    w.call('github.write');
    addComment(w.github, issueOf(pr)!, body, actionsBot);
  };
  return {
    async listOpenPullRequests() {
      w.call('github.list-pulls');
      return [...w.repo(repository).issues.values()]
        .filter((i) => i.pull && i.state === 'open')
        .map((i) => w.pullInfo(repository, i));
    },
    async getPullRequest(pr) {
      w.call('github.get-pull');
      const i = issueOf(pr);
      return i && w.pullInfo(repository, i);
    },
    async listNamespaces() {
      w.call('kube.list-namespaces');
      return w.markedNamespaces().filter((n) => isOwnedBy(n.marks, { repository }));
    },
    async listReleases() {
      w.call('kube.list-releases');
      return w.releases();
    },
    async listRepositories() {
      w.call('ecr.list');
      return [...w.ecr.entries()].flatMap(([name, r]) => {
        const marks = fromEcrTags(r.tags);
        return marks && isOwnedBy(marks, { repository }) ? [{ name, marks }] : [];
      });
    },
    async listVaultPaths() {
      w.call('vault.list');
      return [...w.vault.entries()].flatMap(([path, e]) => {
        const marks = fromVaultMetadata(e.customMetadata);
        return marks && isOwnedBy(marks, { repository }) ? [{ path, marks }] : [];
      });
    },
    async listEnvironments() {
      w.call('github.list-environments');
      const out = new Map<string, number>();
      for (const d of w.repo(repository).deployments) {
        const m = /^preview\/pr-(\d+)$/.exec(d.environment);
        const pr = deploymentMarks(d.payload)?.pr ?? (m ? Number(m[1]) : 0);
        if (pr) out.set(d.environment, pr);
      }
      return [...out].map(([name, pr]) => ({ name, pr }));
    },
    async warnOfRemoval(plan, removeAt) {
      comment(plan.pr, `${WARNING_MARKER}\nThis preview will be removed at ${removeAt}.`);
      for (const ns of plan.resources.filter((r) => r.kind === 'namespace')) {
        w.call('kube.write');
        const o = w.kube.get(w.nsType, undefined, ns.name);
        if (!o) throw new Error(`namespaces "${ns.name}" not found`);
        o.metadata.annotations = { ...o.metadata.annotations, [WARNED_AT]: new Date(w.clock.now()).toISOString() };
        w.kube.update(w.nsType, o);
      }
    },
    async markStale(pr) {
      w.call('github.write');
      addLabels(w.github, w.repo(repository), issueOf(pr)!, [POLICY.staleLabel]);
      comment(pr, `No activity: marked ${POLICY.staleLabel} (${repoName}).`);
    },
    async closePullRequest(pr) {
      comment(pr, 'Closing: no activity.');
      w.call('github.write');
      const i = issueOf(pr)!;
      i.state = 'closed';
      i.closedAt = w.clock.now();
      i.updatedAt = w.clock.now();
    },
    teardown: worldTeardownPorts(w, repository),
  };
}
