/**
 * What the Vault Secrets Operator and External Secrets Operator do, scoped to what the preview
 * chart's custom resources need (issue 16 part 1): a `VaultStaticSecret` (secrets.hashicorp.com/
 * v1beta1: mount, path, type kv-v1|kv-v2, destination {name, create, labels,
 * transformation.excludes}, rolloutRestartTargets) or an `ExternalSecret` (external-secrets.io/v1: target.name,
 * dataFrom[].extract.key through a store that is this Vault's KV v2 `esoMount`) is read from the
 * Vault stand-in over HTTP and written as the destination Secret, owned by the custom resource.
 * When the data changed, VSO restarts each rollout target the way it does: an annotation
 * `vso.secrets.hashicorp.com/restartedAt` on the pod template, so the Deployment rolls.
 * It reconciles when a custom resource changes and on `resync()` (VSO's `refreshAfter`, ESO's
 * `refreshInterval`), so tests drive refreshes without waiting.
 */
import type { KubeObject, ObjectStore, ResourceType } from '../storage/store.js';

export const VAULT_STATIC_SECRET: ResourceType = {
  group: 'secrets.hashicorp.com',
  version: 'v1beta1',
  resource: 'vaultstaticsecrets',
  kind: 'VaultStaticSecret',
  singular: 'vaultstaticsecret',
  namespaced: true,
  shortNames: [],
  subresources: ['status'],
};
export const EXTERNAL_SECRET: ResourceType = {
  group: 'external-secrets.io',
  version: 'v1',
  resource: 'externalsecrets',
  kind: 'ExternalSecret',
  singular: 'externalsecret',
  namespaced: true,
  shortNames: ['es'],
  subresources: ['status'],
};
export const RESTARTED_AT = 'vso.secrets.hashicorp.com/restartedAt';

export interface VaultSecretsController {
  /** Re-reads Vault for every custom resource (a refresh interval passing); resolves when written. */
  resync(): Promise<void>;
  /** Resolves once every reconcile started so far has finished. */
  idle(): Promise<void>;
  /** Reconcile failures (Vault unreachable, a path missing), newest last. */
  errors: string[];
  stop(): void;
}

type Spec = Record<string, any>;

/** Registers both custom resource types on `store` and starts reconciling them. */
export function startVaultSecretsController(
  store: ObjectStore,
  vault: { url: string; token: string; esoMount?: string; now?: () => number },
): VaultSecretsController {
  const vss = store.types.registerCustom(VAULT_STATIC_SECRET);
  const es = store.types.registerCustom(EXTERNAL_SECRET);
  const secretType = store.types.get('', 'v1', 'secrets')!;
  const deploymentType = store.types.get('apps', 'v1', 'deployments')!;
  const now = vault.now ?? (() => Date.now());
  const errors: string[] = [];
  const running = new Set<Promise<void>>();

  const readKv = async (mount: string, path: string, version: 1 | 2): Promise<Record<string, string>> => {
    const url = `${vault.url}/v1/${mount}/${version === 2 ? 'data/' : ''}${path}`;
    const res = await fetch(url, { headers: { 'x-vault-token': vault.token } });
    if (!res.ok) throw new Error(`Vault answered ${res.status} for ${mount}/${path}`);
    const body = (await res.json()) as { data?: Record<string, unknown> & { data?: Record<string, unknown> } };
    const values = (version === 2 ? body.data?.data : body.data) ?? {};
    return Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  };

  const reconcile = async (t: ResourceType, o: KubeObject): Promise<void> => {
    const spec = (o as { spec?: Spec }).spec ?? {};
    const ns = o.metadata.namespace!;
    const isVss = t.kind === 'VaultStaticSecret';
    const name: string | undefined = isVss ? spec.destination?.name : (spec.target?.name ?? o.metadata.name);
    if (!name) return;
    let data: Record<string, string> = {};
    if (isVss) {
      data = await readKv(spec.mount, spec.path, spec.type === 'kv-v1' ? 1 : 2);
      // destination.transformation.excludes: regexes over top-level keys, applied first (VSO's docs).
      const excludes = ((spec.destination?.transformation?.excludes ?? []) as string[]).map((x) => new RegExp(x));
      data = Object.fromEntries(Object.entries(data).filter(([k]) => !excludes.some((x) => x.test(k))));
    } else {
      for (const from of spec.dataFrom ?? [])
        if (from.extract?.key) Object.assign(data, await readKv(vault.esoMount ?? 'secret', from.extract.key, 2));
    }
    const encoded = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
    );
    // The custom resource may be gone by now (namespace deleted): write nothing then.
    const current = store.get(t, ns, o.metadata.name);
    if (!current) return;
    const existing = store.get(secretType, ns, name);
    if (existing && JSON.stringify((existing as { data?: unknown }).data ?? {}) === JSON.stringify(encoded)) return;
    const owner = {
      apiVersion: `${t.group}/${t.version}`,
      kind: t.kind,
      name: current.metadata.name,
      uid: current.metadata.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
    const labels = isVss ? (spec.destination?.labels ?? {}) : {};
    if (existing) {
      store.update(secretType, { ...existing, data: encoded } as KubeObject);
    } else {
      if (isVss && spec.destination?.create !== true)
        throw new Error(`${ns}/${o.metadata.name}: destination ${name} does not exist and create is false`);
      store.create(secretType, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name, namespace: ns, labels, ownerReferences: [owner] },
        data: encoded,
      } as KubeObject);
    }
    // A changed Secret restarts the rollout targets (VSO); the first sync has nothing running on old values.
    if (!existing || !isVss) return;
    for (const target of spec.rolloutRestartTargets ?? []) {
      if (target.kind !== 'Deployment') continue;
      const d = store.get(deploymentType, ns, target.name) as (KubeObject & { spec: Spec }) | undefined;
      if (!d) continue;
      const template = d.spec.template ?? {};
      const annotations = { ...(template.metadata?.annotations ?? {}), [RESTARTED_AT]: new Date(now()).toISOString() };
      store.update(deploymentType, {
        ...d,
        spec: { ...d.spec, template: { ...template, metadata: { ...template.metadata, annotations } } },
      } as KubeObject);
    }
  };

  const track = (t: ResourceType, o: KubeObject): Promise<void> => {
    const p = reconcile(t, o).catch(
      (err: unknown) =>
        void errors.push(`${t.kind} ${o.metadata.namespace}/${o.metadata.name}: ${(err as Error).message}`),
    );
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  };
  const unsubscribe = store.subscribe((e) => {
    if (e.type === 'DELETED' || (e.resource.kind !== vss.kind && e.resource.kind !== es.kind)) return;
    void track(e.resource.kind === vss.kind ? vss : es, e.object);
  });

  return {
    resync: async () => {
      await Promise.all([...store.list(vss).map((o) => track(vss, o)), ...store.list(es).map((o) => track(es, o))]);
    },
    idle: async () => {
      while (running.size) await Promise.all([...running]);
    },
    errors,
    stop: unsubscribe,
  };
}
