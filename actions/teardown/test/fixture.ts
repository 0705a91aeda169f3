/**
 * A sandboxed world for teardown and reaper runner tests: the Kubernetes stand-in (real helm 4.1 +
 * kubectl 1.34 on PATH), the GitHub stand-in, Vault, and moto for ECR. `deploy()` creates what the
 * deploy actions would for one PR — marked namespace, a Helm release per service, a marked Vault
 * path and ECR repository per service, the sticky comment and a deployment — so a test can tear
 * it down and look at every system afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import nodeVault from 'node-vault';
import {
  newMarks,
  systemClock,
  toEcrTags,
  toKubeAnnotations,
  toKubeLabels,
  toVaultMetadata,
  type OwnershipMarks,
} from '@preview-fleet/core';
import { createGitHubClient, publishPreviewStatus, type GitHubClient } from '@preview-fleet/core/github';
import { startKube, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { startMoto, type MotoStandIn } from '@preview-fleet/sandbox/ecr';
import { previewPolicy, startVault, type VaultStandIn } from '@preview-fleet/sandbox/vault';
import { toolPaths } from '@preview-fleet/testkit/tools';

export const teardownDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const reaperDir = join(teardownDir, '..', 'reap-orphans');
export const REPOSITORY = 'acme/web';
const [OWNER, REPO] = REPOSITORY.split('/') as [string, string];
const H = 3_600_000;

export interface World {
  kube: KubeStandIn;
  gh: GitHubStandIn;
  vault: VaultStandIn;
  moto: MotoStandIn;
  ecr: ECRClient;
  octokit: GitHubClient;
  root: nodeVault.client;
  /** A Vault token with the preview policy (masked by the action; the leak check searches for it). */
  vaultToken: string;
  /** Environment for a bundled action: tools on PATH, KUBECONFIG, HOME, GitHub, AWS. */
  env: Record<string, string>;
  /** Inputs every run needs (Vault by token). */
  inputs: Record<string, string>;
  /** Opens a PR on the GitHub stand-in and deploys its preview; returns the PR number and head SHA. */
  deploy(opts?: {
    services?: string[];
    labels?: string[];
    expiresInMs?: number;
    createdAgoMs?: number;
    updatedAt?: string;
  }): Promise<{ pr: number; sha: string }>;
  /** Creates only part of a preview for `pr` (an orphan whose PR does not exist, or a leftover). */
  orphan(pr: number, opts?: { kinds?: Array<'namespace' | 'vault' | 'ecr'>; expiresInMs?: number }): Promise<void>;
  namespaceExists(name: string): boolean;
  /** The namespace object (labels, annotations), when it exists. */
  namespace(
    name: string,
  ): { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined;
  vaultPathExists(path: string): boolean;
  repositoryExists(name: string): Promise<boolean>;
  releases(namespace: string): string[];
  /** Moves the GitHub stand-in's clock (PR updated_at, comment times) by `ms` from real time (0 resets). */
  shiftGitHubClock(ms: number): void;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const tools = toolPaths();
  const home = mkdtempSync(join(tmpdir(), 'pf-teardown-world-'));
  const chart = join(home, 'chart');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
  writeFileSync(
    join(chart, 'templates', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: "1"\n',
  );

  let shift = 0;
  const ghClock = { now: () => Date.now() + shift, sleep: systemClock.sleep };
  const [kube, gh, vault, moto] = await Promise.all([
    startKube({ controllerDelayMs: 20 }),
    startGitHub({ clock: ghClock }),
    startVault(),
    startMoto(),
  ]);
  vault.writePolicy('preview', previewPolicy());
  const vaultToken = vault.createToken(['preview']);
  const root = nodeVault({ endpoint: vault.url, token: vault.rootToken, noCustomHTTPVerbs: true });
  const ecr = new ECRClient({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey },
  });
  const octokit = createGitHubClient(gh.token, { baseUrl: gh.url });
  const kubeEnv = { ...kube.env, HOME: home };
  const helmInstall = (release: string, namespace: string) =>
    promisify(execFile)(tools.v34.helm, ['install', release, chart, '--namespace', namespace], {
      env: { ...process.env, ...kubeEnv },
    });

  // Never ours, whatever their names: the guard tests look at them after every run.
  const nsType = kube.store.types.get('', 'v1', 'namespaces')!;
  kube.store.create(nsType, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'preview-pr-5', labels: { team: 'made-by-hand' } },
  });
  // PRs #1-#5 exist without previews, so no deployed PR's namespace collides with the look-alike.
  for (let i = 0; i < 5; i++) gh.openPullRequest(REPOSITORY, { title: `unrelated ${i + 1}` });

  const marksFor = (
    pr: number,
    service: string,
    o: { expiresInMs?: number; createdAgoMs?: number },
  ): OwnershipMarks => {
    const now = Date.now() - (o.createdAgoMs ?? 0);
    const m = newMarks({ repository: REPOSITORY, pr, service, headSha: 'a'.repeat(40), now, ttlMs: 72 * H });
    if (o.expiresInMs !== undefined) m.expiresAt = new Date(Date.now() + o.expiresInMs).toISOString();
    return m;
  };
  const makeNamespace = (pr: number, services: string[], m: OwnershipMarks): void => {
    kube.store.create(nsType, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: `preview-pr-${pr}`,
        labels: toKubeLabels(m),
        annotations: { ...toKubeAnnotations(m), 'preview-fleet.dev/services': services.join(',') },
      },
    });
  };
  const makeVault = async (pr: number, service: string, m: OwnershipMarks): Promise<void> => {
    await root.write(`secret/data/preview/${service}-${pr}`, { data: { DB_URL: `postgres://preview-${pr}` } });
    await root.write(`secret/metadata/preview/${service}-${pr}`, {
      custom_metadata: toVaultMetadata({ ...m, service }),
    });
  };
  const makeEcr = async (pr: number, service: string, m: OwnershipMarks): Promise<void> => {
    await ecr.send(
      new CreateRepositoryCommand({ repositoryName: `${service}-preview-${pr}`, tags: toEcrTags({ ...m, service }) }),
    );
  };

  const world: World = {
    kube,
    gh,
    vault,
    moto,
    ecr,
    octokit,
    root,
    vaultToken,
    env: {
      PATH: `${dirname(tools.v34.helm)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      ...kubeEnv,
      GITHUB_API_URL: gh.url,
      GITHUB_TOKEN: gh.token,
      ...moto.env,
    },
    inputs: { 'vault-addr': vault.url, 'auth-method': 'token', token: vaultToken },
    async deploy(opts = {}) {
      const services = opts.services ?? ['app'];
      const pull = gh.openPullRequest(REPOSITORY, { labels: opts.labels ?? ['preview'] });
      const pr = pull.number as number;
      const sha = pull.head.sha as string;
      const m = marksFor(pr, services[0]!, opts);
      makeNamespace(pr, services, m);
      for (const service of services) {
        await helmInstall(`${service}-pr-${pr}`, `preview-pr-${pr}`);
        await makeVault(pr, service, m);
        await makeEcr(pr, service, m);
        const r = await publishPreviewStatus(octokit, {
          owner: OWNER,
          repo: REPO,
          pr,
          serverUrl: 'https://github.com',
          environment: `preview/pr-${pr}`,
          author: 'github-actions[bot]',
          section: {
            service,
            state: 'ready',
            url: `https://${service}-pr-${pr}.preview.example.com`,
            sha,
            namespace: `preview-pr-${pr}`,
            runId: 500,
            runAttempt: 1,
            updatedAt: new Date().toISOString(),
          },
        });
        if (r.problems.length) throw new Error(`deploy status failed: ${JSON.stringify(r.problems)}`);
      }
      return { pr, sha };
    },
    async orphan(pr, opts = {}) {
      const kinds = opts.kinds ?? ['namespace', 'vault', 'ecr'];
      const m = marksFor(pr, 'app', opts);
      if (kinds.includes('namespace')) makeNamespace(pr, ['app'], m);
      if (kinds.includes('vault')) await makeVault(pr, 'app', m);
      if (kinds.includes('ecr')) await makeEcr(pr, 'app', m);
    },
    namespaceExists: (name) => kube.store.get(nsType, undefined, name) !== undefined,
    namespace: (name) => kube.store.get(nsType, undefined, name) as ReturnType<World['namespace']>,
    vaultPathExists: (path) => vault.readRaw('secret', path) !== undefined,
    async repositoryExists(name) {
      try {
        await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
        return true;
      } catch (err) {
        if ((err as Error).name === 'RepositoryNotFoundException') return false;
        throw err;
      }
    },
    releases: (namespace) =>
      kube.store
        .list(kube.store.types.get('', 'v1', 'secrets')!, namespace)
        .filter((s) => s.metadata.labels?.owner === 'helm' && s.metadata.labels?.status === 'deployed')
        .map((s) => s.metadata.labels!.name!),
    shiftGitHubClock: (ms) => {
      shift = ms;
    },
    async stop() {
      ecr.destroy();
      await Promise.all([kube.stop(), gh.stop(), vault.stop(), moto.stop()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
  return world;
}
