/**
 * Shared setup for deploy-helm's runner-style tests: the Kubernetes and GitHub stand-ins, a HOME
 * for kubectl/helm caches, and PATH with the chosen real helm + kubectl first (as on a runner
 * after setup-helm), so the bundled action finds them exactly as in production.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { startKube, type KubeObject, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { toolPaths } from '@preview-fleet/testkit/tools';

export const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const chartDir = join(actionDir, 'test', 'fixtures', 'chart');
export const REPOSITORY = 'acme/kube';

export type Major = 3 | 4;

export interface World {
  kube: KubeStandIn;
  gh: GitHubStandIn;
  home: string;
  /** Runner environment for helm `major`: PATH with its tool directory first, KUBECONFIG, HOME, GITHUB_API_URL. */
  env(major: Major): Record<string, string>;
  helm(major: Major): string;
  kubectl(major: Major): string;
  get(
    resource: string,
    namespace: string | undefined,
    name: string,
    group?: string,
    version?: string,
  ): KubeObject | undefined;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const kube = await startKube({ controllerDelayMs: 200 });
  const gh = await startGitHub();
  const home = mkdtempSync(join(tmpdir(), 'pf-deploy-home-'));
  const tools = toolPaths();
  const set = (major: Major) => (major === 3 ? tools.v31 : tools.v34);
  return {
    kube,
    gh,
    home,
    env: (major) => ({
      PATH: `${dirname(set(major).helm)}:${process.env.PATH ?? ''}`,
      HOME: home,
      KUBECONFIG: kube.kubeconfigPath,
      GITHUB_API_URL: gh.url,
    }),
    helm: (major) => set(major).helm,
    kubectl: (major) => set(major).kubectl,
    get(
      resource,
      namespace,
      name,
      group = resource === 'deployments' ? 'apps' : resource === 'networkpolicies' ? 'networking.k8s.io' : '',
      version = 'v1',
    ) {
      const t = kube.store.types.get(group, version, resource);
      if (!t) throw new Error(`no type ${group}/${version}/${resource}`);
      return kube.store.get(t, namespace, name);
    },
    async stop() {
      await gh.stop();
      await kube.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Leaves the newest revision of `release` as `pending-upgrade`, as an interrupted (or a still
 * running) `helm upgrade` does: a new release Secret (Helm's storage: base64 of gzipped JSON
 * inside the Secret's data) with status pending-upgrade, the next version and `last_deployed`
 * (history's `updated`) `ageMs` ago; the deployed one untouched.
 */
export function leavePendingUpgrade(w: World, namespace: string, release: string, ageMs: number): number {
  const secrets = w.kube.store.types.get('', 'v1', 'secrets')!;
  const mine = w.kube.store
    .list(secrets, namespace)
    .filter((s: KubeObject) => s.metadata.labels?.owner === 'helm' && s.metadata.labels?.name === release);
  const latest = mine.sort(
    (a: KubeObject, b: KubeObject) => Number(b.metadata.labels!.version) - Number(a.metadata.labels!.version),
  )[0]!;
  const encoded = Buffer.from(String((latest as any).data.release), 'base64').toString();
  const rel = JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString());
  const version = rel.version + 1;
  rel.version = version;
  rel.info.status = 'pending-upgrade';
  rel.info.description = 'Preparing upgrade';
  rel.info.last_deployed = new Date(Date.now() - ageMs).toISOString();
  const data = Buffer.from(gzipSync(Buffer.from(JSON.stringify(rel))).toString('base64')).toString('base64');
  w.kube.store.create(secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${release}.v${version}`,
      namespace,
      labels: { ...latest.metadata.labels, status: 'pending-upgrade', version: String(version) },
    },
    data: { release: data },
  } as KubeObject);
  return version;
}

/**
 * Someone else creates `namespace` between deploy's read and its write: a stand-in request hook
 * that, on the first write to the namespaces resource (create, apply, update) while the namespace
 * is absent, creates it first with `labels` — so whatever the write was, it now meets an existing
 * namespace. Fires once; returns how often it fired so far.
 */
export function createBeforeFirstWrite(
  w: World,
  namespace: string,
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): () => number {
  let fired = 0;
  w.kube.addRequestHook((info) => {
    if (fired > 0 || info.type?.resource !== 'namespaces' || !['create', 'patch', 'update'].includes(info.verb)) return;
    if (info.name !== undefined && info.name !== namespace) return;
    const t = w.kube.store.types.get('', 'v1', 'namespaces')!;
    if (w.kube.store.get(t, undefined, namespace)) return;
    fired += 1;
    w.kube.store.create(t, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels, annotations },
    } as KubeObject);
  });
  return () => fired;
}
