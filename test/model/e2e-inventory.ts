/**
 * What the sandbox holds that carries our marks or our names, for the end-to-end model test:
 * marked namespaces and Helm release records in the kube stand-in, Vault paths under
 * secret/preview/, ECR repositories, active deployments per repository, and whether the stage
 * secrets (which nothing may ever touch) are still there.
 */
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { LABELS } from '@preview-fleet/core';
import type { Sandbox } from '@preview-fleet/sandbox';

export interface E2eInventory {
  namespaces: string[];
  /** namespace/release */
  releases: string[];
  /** Paths under secret/preview/ (without the prefix). */
  vaultPaths: string[];
  ecr: string[];
  activeDeployments: Array<{ repo: string; environment: string }>;
  stageSecrets: boolean;
}

export async function e2eInventory(
  sandbox: Sandbox,
  repos: readonly string[] = ['acme/web', 'acme/api'],
): Promise<E2eInventory> {
  const store = sandbox.kube!.store;
  const namespaces = store
    .list(store.types.byKind('Namespace')!)
    .filter((n) => n.metadata.labels?.[LABELS.managedBy] === 'preview-fleet')
    .map((n) => n.metadata.name);
  const releases = [
    ...new Set(
      store
        .list(store.types.byKind('Secret')!)
        .filter((s) => (s as { type?: string }).type === 'helm.sh/release.v1')
        .map((s) => `${s.metadata.namespace}/${s.metadata.labels?.name ?? s.metadata.name}`),
    ),
  ];
  const headers = { 'x-vault-token': sandbox.env.VAULT_TOKEN! };
  const list = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/metadata/preview?list=true`, { headers });
  const vaultPaths =
    list.status === 404 ? [] : (((await list.json()) as { data?: { keys?: string[] } }).data?.keys ?? []);
  const stage = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/data/stage/app`, { headers });
  const client = new ECRClient({
    region: sandbox.env.AWS_REGION,
    endpoint: sandbox.env.AWS_ENDPOINT_URL_ECR,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const ecr = ((await client.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map(
    (r) => r.repositoryName ?? '?',
  );
  client.destroy();
  const activeDeployments = repos.flatMap((repo) =>
    sandbox
      .github!.deployments(repo)
      .filter((d) => d.state !== 'inactive')
      .map((d) => ({ repo, environment: String(d.environment) })),
  );
  return { namespaces, releases, vaultPaths, ecr, activeDeployments, stageSecrets: stage.status === 200 };
}
