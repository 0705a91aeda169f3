/**
 * Removal of a PR's Helm releases and namespace for teardown and the reaper. Nothing is deleted
 * unless the namespace carries our marks for this repository and PR (`fromKube` + `isOwnedBy`), so
 * `default`, `kube-system` or a look-alike `preview-pr-5` someone made by hand are never touched.
 * Every function returns a RemovalResult and never throws.
 */
import { fromKube, isOwnedBy, type OwnershipMarks } from '../marks.js';
import { RESERVED_NAMESPACES } from '../naming.js';
import type { RemovalResult } from '../removal.js';
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import { kubeApiName, runHelm, runKubectl, type KubeTools } from './tools.js';

export interface Owner {
  repository: string;
  pr: number;
}

/** The fields of a Namespace object we read. */
interface NamespaceJson {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec?: { finalizers?: string[] };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

/** `<seconds>s`, which both kubectl and helm (Go durations) accept. */
export function goDuration(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

const oneLine = (text: string): string =>
  redact(text)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? '';

/** System namespaces are refused by name before any call, whatever labels they carry. */
export function isSystemNamespace(name: string): boolean {
  return RESERVED_NAMESPACES.includes(name) || name.startsWith('kube-');
}

/** The namespace as JSON, or undefined when it does not exist (`--ignore-not-found` prints nothing). */
async function getNamespace(cli: KubeTools, name: string): Promise<NamespaceJson | undefined> {
  const r = await runKubectl(cli, ['get', 'namespace', name, '--ignore-not-found', '-o', 'json']);
  return r.stdout.trim() === '' ? undefined : (JSON.parse(r.stdout) as NamespaceJson);
}

/** Why a namespace is not ours, for the report (undefined when it is ours). */
export function notOwnedReason(ns: NamespaceJson, owner: Owner): string | undefined {
  const marks = fromKube(ns.metadata?.labels, ns.metadata?.annotations);
  const who = marks ? `${marks.repository}#${marks.pr}` : undefined;
  if (isOwnedBy(marks, owner)) return undefined;
  return who
    ? `marked for ${who}, not ${owner.repository}#${owner.pr}`
    : 'no preview-fleet marks in its labels/annotations';
}

/** What holds a namespace in Terminating: its finalizers and the controller's conditions. */
export function describeStuck(ns: NamespaceJson): string {
  const finalizers = [...new Set([...(ns.spec?.finalizers ?? []), ...(ns.metadata?.finalizers ?? [])])];
  const conditions = (ns.status?.conditions ?? [])
    .filter((c) => c.status === 'True' && c.message)
    .map((c) => `${c.type}: ${c.message}`);
  const parts = [`stuck ${ns.status?.phase ?? 'Terminating'}`];
  parts.push(finalizers.length ? `finalizers holding it: ${finalizers.join(', ')}` : 'no finalizers listed');
  if (conditions.length) parts.push(conditions.join('; '));
  return parts.join('; ');
}

export interface UninstallOptions {
  release: string;
  namespace: string;
  owner: Owner;
  timeoutMs: number;
  /** Marks already read from the namespace (the reaper's inventory): skips the namespace read. */
  namespaceMarks?: OwnershipMarks;
}

/**
 * `helm uninstall --wait` of a release in the PR's namespace. The release is ours when its
 * namespace is: a missing namespace means the release is gone too (Helm keeps its records as
 * Secrets in the release's namespace); helm's "release: not found" is `already-gone`.
 */
export async function uninstallRelease(cli: KubeTools, o: UninstallOptions): Promise<RemovalResult> {
  const name = `${o.namespace}/${o.release}`;
  const result = (status: RemovalResult['status'], reason?: string): RemovalResult => ({
    kind: 'release',
    name,
    status,
    ...(reason ? { reason } : {}),
  });
  try {
    if (isSystemNamespace(o.namespace)) return result('skipped-unmarked', `${o.namespace} is a system namespace`);
    if (o.namespaceMarks) {
      const who = `${o.namespaceMarks.repository}#${o.namespaceMarks.pr}`;
      if (!isOwnedBy(o.namespaceMarks, o.owner)) return result('skipped-unmarked', `namespace marked for ${who}`);
    } else {
      const ns = await getNamespace(cli, o.namespace);
      if (!ns) return result('already-gone');
      const why = notOwnedReason(ns, o.owner);
      if (why) return result('skipped-unmarked', `namespace ${o.namespace}: ${why}`);
    }
    const r = await runHelm(
      cli,
      ['uninstall', o.release, '--namespace', o.namespace, '--wait', '--timeout', goDuration(o.timeoutMs)],
      { okExitCodes: [0, 1] },
    );
    if (r.exitCode === 0) return result('deleted');
    const text = `${r.stderr}\n${r.stdout}`;
    // Helm 3 and 4: "Error: uninstall: Release not loaded: web-12: release: not found".
    if (/release: not found|release not loaded/i.test(text)) return result('already-gone');
    if (/namespaces? "[^"]+" not found/i.test(text)) return result('already-gone');
    return result(
      'failed',
      `helm uninstall failed (${kubeApiName(cli.kubectl, { ...cli.env }, 'kubectl')}): ${oneLine(text)}`,
    );
  } catch (err) {
    return result('failed', oneLine(errorText(err)));
  }
}

export interface DeleteNamespaceOptions {
  name: string;
  owner: Owner;
  timeoutMs: number;
}

/**
 * Deletes the PR's namespace and waits until it is gone (`kubectl delete --wait --timeout`), only
 * when it carries our marks for this repository and PR. A namespace that outlives the timeout is
 * `failed` with the finalizers and conditions that hold it.
 */
export async function deleteNamespace(cli: KubeTools, o: DeleteNamespaceOptions): Promise<RemovalResult> {
  const result = (status: RemovalResult['status'], reason?: string): RemovalResult => ({
    kind: 'namespace',
    name: o.name,
    status,
    ...(reason ? { reason } : {}),
  });
  try {
    if (isSystemNamespace(o.name)) return result('skipped-unmarked', 'a system namespace is never deleted');
    const ns = await getNamespace(cli, o.name);
    if (!ns) return result('already-gone');
    const why = notOwnedReason(ns, o.owner);
    if (why) return result('skipped-unmarked', why);
    const [r] = await deleteVerified(cli, [o.name], o.timeoutMs);
    return { ...r!, kind: 'namespace' };
  } catch (err) {
    return result('failed', oneLine(errorText(err)));
  }
}

export interface MarkedNamespaceRef {
  name: string;
  /** Marks as the inventory read them (one list call for every namespace). */
  marks: OwnershipMarks;
}

/**
 * The reaper's batch form: namespaces whose marks the inventory already read are deleted `perCall`
 * names to a kubectl process (each process pays ~0.1 s of CPU to start; its DELETEs run one after
 * another). Each entry is checked against `repository` again here; anything unmarked is skipped.
 */
export async function deleteMarkedNamespaces(
  cli: KubeTools,
  items: MarkedNamespaceRef[],
  o: { repository: string; timeoutMs: number },
): Promise<RemovalResult[]> {
  const out = new Map<string, RemovalResult>();
  const verified: string[] = [];
  for (const it of items) {
    const who = it.marks.repository;
    if (isSystemNamespace(it.name))
      out.set(it.name, {
        kind: 'namespace',
        name: it.name,
        status: 'skipped-unmarked',
        reason: 'a system namespace is never deleted',
      });
    else if (!isOwnedBy(it.marks, { repository: o.repository, pr: it.marks.pr })) {
      out.set(it.name, { kind: 'namespace', name: it.name, status: 'skipped-unmarked', reason: `marked for ${who}` });
    } else verified.push(it.name);
  }
  if (verified.length) {
    try {
      for (const r of await deleteVerified(cli, verified, o.timeoutMs)) out.set(r.name, r);
    } catch (err) {
      for (const n of verified)
        out.set(n, { kind: 'namespace', name: n, status: 'failed', reason: oneLine(errorText(err)) });
    }
  }
  return items.map((it) => out.get(it.name)!);
}

/** One `kubectl delete namespace a b … --wait`, then the survivors read back to say what holds them. */
async function deleteVerified(cli: KubeTools, names: string[], timeoutMs: number): Promise<RemovalResult[]> {
  const r = await runKubectl(
    cli,
    ['delete', 'namespace', ...names, '--wait=true', `--timeout=${goDuration(timeoutMs)}`],
    { okExitCodes: [0, 1] },
  );
  const text = `${r.stdout}\n${r.stderr}`;
  const api = kubeApiName(cli.kubectl, { ...cli.env }, 'kubectl');
  const deleted = new Set([...r.stdout.matchAll(/namespace "([^"]+)" deleted/g)].map((m) => m[1]!));
  const missing = new Set([...r.stderr.matchAll(/namespaces "([^"]+)" not found/g)].map((m) => m[1]!));
  let survivors = new Map<string, NamespaceJson>();
  if (r.exitCode !== 0) {
    const left = names.filter((n) => !missing.has(n));
    if (left.length) {
      const got = await runKubectl(cli, ['get', 'namespace', ...left, '--ignore-not-found', '-o', 'json'], {
        okExitCodes: [0, 1],
      });
      if (got.exitCode !== 0) {
        return names.map((name) =>
          missing.has(name)
            ? { kind: 'namespace', name, status: 'already-gone' }
            : { kind: 'namespace', name, status: 'failed', reason: `kubectl delete failed (${api}): ${oneLine(text)}` },
        );
      }
      const parsed = got.stdout.trim()
        ? (JSON.parse(got.stdout) as { kind?: string; items?: NamespaceJson[] } & NamespaceJson)
        : undefined;
      const list = parsed ? (parsed.kind === 'List' || parsed.items ? (parsed.items ?? []) : [parsed]) : [];
      survivors = new Map(list.map((n) => [n.metadata?.name ?? '', n]));
    }
  }
  return names.map((name): RemovalResult => {
    const survivor = survivors.get(name);
    if (survivor) {
      const reason =
        survivor.metadata?.deletionTimestamp || survivor.status?.phase === 'Terminating'
          ? `${describeStuck(survivor)} (waited ${goDuration(timeoutMs)})`
          : `kubectl delete failed (${api}): ${oneLine(text)}`;
      return { kind: 'namespace', name, status: 'failed', reason };
    }
    if (missing.has(name) && !deleted.has(name)) return { kind: 'namespace', name, status: 'already-gone' };
    return { kind: 'namespace', name, status: 'deleted' };
  });
}
