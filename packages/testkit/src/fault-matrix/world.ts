/**
 * The fault matrix's world: every stand-in at once — Kubernetes (real helm 4.1 + kubectl 1.34),
 * GitHub, Vault (token auth, a stage secret), moto behind its fault proxy for ECR, and, where this
 * machine has docker-registry, the registry behind its fault proxy. Built on teardown's fixture
 * (which knows how to deploy a whole preview for a PR), plus what the other actions need. The
 * ownership checks read marks straight from the stand-ins' state.
 */
import { join } from 'node:path';
import { ListTagsForResourceCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { fromEcrTags, fromKube, fromVaultMetadata, isOwnedBy } from '@preview-fleet/core';
import { COMMENT_MARKER, deploymentMarks } from '@preview-fleet/core/github';
import { REPOSITORY, startWorld, type World } from '@preview-fleet/action-teardown/test/fixture';
import type { KubeObject } from '@preview-fleet/sandbox/kube';
import {
  prebuiltImage,
  startRegistry,
  startRegistryProxy,
  systemToolsAvailable,
  type RegistryProxy,
  type RegistryStandIn,
} from '@preview-fleet/sandbox/registry';
import { repoRoot } from '../tools.js';

export { REPOSITORY };
export const actionsRoot = join(repoRoot, 'actions');
export const deployChart = join(actionsRoot, 'deploy-helm', 'test', 'fixtures', 'chart');
export const STAGE = {
  DB_URL: 'postgres://stage-user:fault-matrix-Pw9@db.stage:5432/app',
  API_KEY: 'sk_fm_8c1d2e3f4a5b',
};

export interface MatrixWorld extends World {
  /** docker-registry behind the fault proxy (undefined where docker-registry is not installed, with `registryReason`). */
  registry?: { standIn: RegistryStandIn; proxy: RegistryProxy };
  registryReason?: string;
  /** Opens a labelled PR; returns its number and head SHA. */
  openPr(labels?: string[]): { pr: number; sha: string };
  /** Pushes a tiny image as `<repository>:<tag>` through the proxy (so build-push finds it and builds nothing). */
  pushImage(repository: string, tag: string): Promise<string>;
  /** A rolled-out-able Deployment `web` in a fresh namespace `name` (the controllers make it ready). */
  readyDeployment(namespace: string): void;
  /** Every fault armed on any stand-in is cleared (after each cell). */
  clearFaults(): void;
  stopAll(): Promise<void>;
}

/** What is left of PR `pr` and whether each piece carries this repository's and PR's marks. */
export interface Residue {
  namespace: 'absent' | 'marked' | 'unmarked';
  vault: 'absent' | 'marked' | 'unmarked';
  ecr: 'absent' | 'marked' | 'unmarked';
  /** Status comments (marker) on the PR: at most one may exist. */
  comments: number;
  /** Deployments of `preview/pr-<pr>` without our marks for this PR (must be 0). */
  unmarkedDeployments: number;
}

export async function startMatrixWorld(): Promise<MatrixWorld> {
  const w = await startWorld();
  const tools = systemToolsAvailable();
  let registry: MatrixWorld['registry'];
  if (tools.registry) {
    const standIn = await startRegistry();
    registry = { standIn, proxy: await startRegistryProxy(standIn.host) };
  }
  await w.root.write('secret/data/stage/app', { data: STAGE });
  const nsType = w.kube.store.types.get('', 'v1', 'namespaces')!;
  const depType = w.kube.store.types.get('apps', 'v1', 'deployments')!;
  return Object.assign(w, {
    registry,
    registryReason: tools.registry ? undefined : tools.reason,
    openPr(labels = ['preview']) {
      const pull = w.gh.openPullRequest(REPOSITORY, { labels });
      return { pr: pull.number as number, sha: pull.head.sha as string };
    },
    async pushImage(repository: string, tag: string) {
      if (!registry) throw new Error('no registry on this machine');
      return (await prebuiltImage({ registryHost: registry.proxy.host, repository, tag })).digest;
    },
    readyDeployment(namespace: string) {
      w.kube.store.create(nsType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      w.kube.store.create(depType, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace, labels: { app: 'web' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'app', image: 'registry.example.com/web:1' }] },
          },
        },
      } as KubeObject);
    },
    clearFaults() {
      w.gh.clearFaults();
      w.vault.clearFaults();
      w.moto.clearFaults();
      w.kube.scenarios.clearFaults();
      registry?.proxy.clearFaults();
    },
    async stopAll() {
      await registry?.proxy.stop();
      await registry?.standIn.stop();
      await w.stop();
    },
  }) as MatrixWorld;
}

/** Reads PR `pr`'s pieces from the stand-ins (service `app`, the default names). */
export async function residueOf(w: MatrixWorld, pr: number): Promise<Residue> {
  const owner = { repository: REPOSITORY, pr };
  const ns = w.namespace(`preview-pr-${pr}`);
  const namespace = ns
    ? isOwnedBy(fromKube(ns.metadata.labels, ns.metadata.annotations), owner)
      ? 'marked'
      : 'unmarked'
    : 'absent';
  const raw = w.vault.readRaw('secret', `preview/app-${pr}`);
  const vault = raw
    ? isOwnedBy(fromVaultMetadata(raw.metadata?.custom_metadata), owner)
      ? 'marked'
      : 'unmarked'
    : 'absent';
  let ecr: Residue['ecr'] = 'absent';
  try {
    const repos = await w.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [`app-preview-${pr}`] }));
    const arn = repos.repositories?.[0]?.repositoryArn;
    const tags = await w.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    ecr = isOwnedBy(fromEcrTags(tags.tags), owner) ? 'marked' : 'unmarked';
  } catch (err) {
    if ((err as Error).name !== 'RepositoryNotFoundException') throw err;
  }
  const comments = w.gh.comments(REPOSITORY, pr).filter((c) => String(c.body ?? '').includes(COMMENT_MARKER)).length;
  const unmarkedDeployments = w.gh
    .deployments(REPOSITORY)
    .filter((d) => d.environment === `preview/pr-${pr}`)
    .filter((d) => {
      const m = deploymentMarks(d.payload);
      return m === undefined || m.repository !== REPOSITORY || m.pr !== pr;
    }).length;
  return { namespace, vault, ecr, comments, unmarkedDeployments };
}

/** Problems with a residue: anything unmarked (nothing would ever remove it), or more than one status comment. */
export function residueProblems(r: Residue): string[] {
  const problems: string[] = [];
  for (const kind of ['namespace', 'vault', 'ecr'] as const)
    if (r[kind] === 'unmarked') problems.push(`${kind} exists without our marks: nothing will clean it up`);
  if (r.comments > 1) problems.push(`${r.comments} status comments (at most one)`);
  if (r.unmarkedDeployments > 0) problems.push(`${r.unmarkedDeployments} deployment(s) without our marks`);
  return problems;
}
