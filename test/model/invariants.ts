/**
 * What must hold after every command of the model (issue 17 §1), and after a final reaper run.
 * Each failure names the repository, the PR and the resource, so a shrunk story reads as a bug report.
 */
import { fromEcrTags, fromVaultMetadata, type OwnershipMarks } from '@preview-fleet/core';
import { deploymentMarks } from '@preview-fleet/core/github';
import { actionsBot } from '@preview-fleet/sandbox/github/state';
import { planFor, POLICY, STICKY_MARKER } from './names.js';
import type { Model, ModelPr } from './model.js';
import type { World } from './world.js';

export class InvariantError extends Error {}

const fail = (msg: string): never => {
  throw new InvariantError(msg);
};

/** Open, labelled, its latest finished deploy succeeded and it has not expired yet: nothing of it may be missing. */
export function isLive(p: ModelPr, now: number): boolean {
  return p.open && p.labelled && p.live !== undefined && now < p.live.expiresAt;
}

function activeDeployments(w: World, repo: string, environment: string) {
  return w
    .repo(repo)
    .deployments.filter((d) => d.environment === environment && d.statuses.at(-1)?.state !== 'inactive');
}

/** The checks after every command. */
export function checkInvariants(m: Model, w: World): void {
  const now = w.clock.now();
  const names = new Map<string, string>();
  for (const p of m.prs) {
    const who = `${p.repo} PR #${p.pr}`;
    const n = planFor(p.repo, p.pr);
    // No two PRs share any name.
    // A release is named within its namespace (Helm's rule), so it is compared with the namespace.
    for (const [kind, name] of Object.entries({ ...n, release: `${n.namespace}/${n.release}` })) {
      const key = kind === 'environment' ? `${p.repo}:${name}` : `${kind}:${name}`;
      if (names.has(key)) fail(`${who} and ${names.get(key)} share the ${kind} ${name}`);
      names.set(key, who);
    }
    // At most one sticky comment per PR, and it is ours.
    const issue = w.issue(p.repo, p.pr)!;
    const sticky = issue.comments.filter((c) => c.body.includes(STICKY_MARKER));
    if (sticky.length > 1) fail(`${who} has ${sticky.length} sticky comments`);
    if (sticky.some((c) => c.user.login !== actionsBot.login)) fail(`${who}'s sticky comment is not ours`);
    if (!isLive(p, now)) continue;
    const missing: string[] = [];
    if (!w.kube.get(w.nsType, undefined, n.namespace)) missing.push(`namespace ${n.namespace}`);
    if (!w.releases().get(n.namespace)?.includes(n.release)) missing.push(`release ${n.namespace}/${n.release}`);
    if (!w.vault.has(n.vaultPath)) missing.push(`Vault path ${n.vaultPath}`);
    if (!w.ecr.has(n.ecrRepository)) missing.push(`ECR repository ${n.ecrRepository}`);
    if (activeDeployments(w, p.repo, n.environment).length === 0) missing.push(`active deployment ${n.environment}`);
    if (missing.length)
      fail(
        `live preview of ${who} (open, labelled, deployed, expires ${iso(p.live!.expiresAt)}) lost ${missing.join(', ')}`,
      );
  }
  // Nothing of another repository (or of nobody) was touched.
  for (const d of w.deletions) {
    if (!d.owner || d.owner.repository !== d.actor)
      fail(`a run of ${d.actor} deleted ${d.kind} ${d.name}, marked for ${d.owner ? d.owner.repository : 'nobody'}`);
  }
  if (!w.vault.has('stage/app')) fail('the stage secrets stage/app were deleted');
  if (!w.kube.get(w.nsType, undefined, 'team-payments')) fail('the unmarked namespace team-payments was deleted');
}

const iso = (t: number) => new Date(t).toISOString();

/** Everything carrying our marks, per (repository, PR): kind → names, and the latest expires-at seen. */
export function markedLeftovers(
  w: World,
): Map<string, { repo: string; pr: number; things: string[]; expiresAt: number }> {
  const out = new Map<string, { repo: string; pr: number; things: string[]; expiresAt: number }>();
  const add = (marks: OwnershipMarks | undefined, what: string) => {
    if (!marks) return;
    const key = `${marks.repository}#${marks.pr}`;
    const e = out.get(key) ?? { repo: marks.repository, pr: marks.pr, things: [], expiresAt: 0 };
    e.things.push(what);
    e.expiresAt = Math.max(e.expiresAt, Date.parse(marks.expiresAt ?? '') || 0);
    out.set(key, e);
  };
  for (const ns of w.markedNamespaces()) add(ns.marks, `namespace ${ns.name}`);
  for (const [ns, rels] of w.releases()) {
    const marks = w.markedNamespaces().find((n) => n.name === ns)?.marks;
    for (const r of rels) add(marks ?? { repository: '?', pr: 0, createdAt: '' }, `release ${ns}/${r}`);
  }
  for (const [path, e] of w.vault) add(fromVaultMetadata(e.customMetadata), `Vault path ${path}`);
  for (const [name, r] of w.ecr) add(fromEcrTags(r.tags), `ECR repository ${name}`);
  for (const repo of w.repos)
    for (const d of w.repo(repo).deployments.filter((x) => x.statuses.at(-1)?.state !== 'inactive')) {
      const marks = deploymentMarks(d.payload);
      if (marks)
        add(
          { repository: marks.repository, pr: marks.pr, createdAt: '' },
          `active deployment ${d.environment}#${d.id}`,
        );
    }
  return out;
}

/** After the final reaper runs (no faults): nothing marked for a closed, unlabelled, expired or missing PR remains. */
export function checkNothingOutlives(w: World): void {
  const now = w.clock.now();
  for (const left of markedLeftovers(w).values()) {
    const issue = left.pr > 0 ? w.issue(left.repo, left.pr) : undefined;
    const why = !issue
      ? 'missing'
      : issue.state === 'closed'
        ? 'closed'
        : !issue.labels.includes(POLICY.label)
          ? 'unlabelled'
          : left.expiresAt > 0 && now >= left.expiresAt
            ? 'expired'
            : undefined;
    if (why)
      fail(`after the final reaper run ${left.repo} PR #${left.pr} is ${why} but still has ${left.things.join(', ')}`);
  }
}
