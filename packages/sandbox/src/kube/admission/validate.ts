/**
 * Validation and admission the real apiserver does before a write: names, selectors, immutable
 * fields, the NamespaceLifecycle plugin and unknown-field detection (fieldValidation).
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError, invalid, notFound } from '../server/errors.js';
import { matchesLabels, type LabelSelector } from '../storage/selectors.js';
import type { KubeObject, ObjectStore, ResourceType } from '../storage/store.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names must be RFC 1123 labels (DNS names of their own), not subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
/** Built-in kinds whose names are validated as path segments only. */
const PATH_NAMED = new Set(['Role', 'RoleBinding']);

/**
 * Object validation the real server does that clients depend on seeing as 422 Invalid:
 * name format, workload selectors that must match their template, immutable selectors.
 */
export function validateObject(t: ResourceType, o: KubeObject, old: KubeObject | undefined): void {
  const name = o.metadata.name;
  const causes: Array<{ field: string; message: string; reason?: string }> = [];
  if (PATH_NAMED.has(t.kind)) {
    if (name.includes('/') || name.includes('%') || name === '.' || name === '..') {
      causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": may not contain '/' or '%'` });
    }
  } else if (LABEL_NAMED.has(t.kind)) {
    if (name.length > 63 || !LABEL.test(name)) {
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      });
    }
  } else if (name.length > 253 || !SUBDOMAIN.test(name)) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    });
  }
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) {
      causes.push({
        field: `metadata.labels`,
        message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) {
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    }
  }
  if (t.group === 'apps' && ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(t.kind)) {
    const spec = isObj(o.spec) ? o.spec : {};
    const selector = spec.selector;
    if (!isObj(selector) || (!isObj(selector.matchLabels) && !Array.isArray(selector.matchExpressions))) {
      causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
    } else {
      const tplLabels =
        isObj(spec.template) && isObj(spec.template.metadata)
          ? (spec.template.metadata.labels as Record<string, string> | undefined)
          : undefined;
      if (!matchesLabels(selectorOf(selector), tplLabels)) {
        causes.push({
          field: 'spec.template.metadata.labels',
          message: `Invalid value: ${JSON.stringify(tplLabels ?? {})}: \`selector\` does not match template \`labels\``,
        });
      }
      if (old && isObj(old.spec) && !isDeepStrictEqual(old.spec.selector, selector)) {
        causes.push({
          field: 'spec.selector',
          message: `Invalid value: ${JSON.stringify(selector)}: field is immutable`,
        });
      }
    }
    if (
      !isObj(spec.template) ||
      !isObj(spec.template.spec) ||
      !Array.isArray(spec.template.spec.containers) ||
      spec.template.spec.containers.length === 0
    ) {
      causes.push({ field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
    }
  }
  if (
    t.kind === 'Job' &&
    old &&
    isObj(old.spec) &&
    isObj(o.spec) &&
    !isDeepStrictEqual(old.spec.template, o.spec.template)
  ) {
    causes.push({ field: 'spec.template', message: 'Invalid value: field is immutable' });
  }
  if (causes.length > 0) throw invalid(t.kind, t.group, name, causes);
}

/** A metav1.LabelSelector as our parsed form (matchLabels and matchExpressions). */
export function selectorOf(sel: Obj): LabelSelector {
  const out: LabelSelector = [];
  if (isObj(sel.matchLabels))
    for (const [k, v] of Object.entries(sel.matchLabels)) out.push({ key: k, op: 'in', values: [String(v)] });
  if (Array.isArray(sel.matchExpressions)) {
    for (const e of sel.matchExpressions as Obj[]) {
      const op = String(e.operator);
      const key = String(e.key);
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      if (op === 'In') out.push({ key, op: 'in', values });
      else if (op === 'NotIn') out.push({ key, op: 'notin', values });
      else if (op === 'Exists') out.push({ key, op: 'exists' });
      else if (op === 'DoesNotExist') out.push({ key, op: '!exists' });
    }
  }
  return out;
}

/**
 * The NamespaceLifecycle admission plugin: a namespaced object needs its namespace (404 like
 * `namespaces "x" not found`), and none may be created in a Terminating namespace (403).
 */
export function checkNamespace(store: ObjectStore, t: ResourceType, namespace: string | undefined, name: string): void {
  if (!t.namespaced || namespace === undefined) return;
  const nsType = store.types.get('', 'v1', 'namespaces');
  if (!nsType) return;
  const ns = store.get(nsType, undefined, namespace);
  if (!ns) throw notFound('namespaces', '', namespace);
  if (ns.metadata.deletionTimestamp || (isObj(ns.status) && ns.status.phase === 'Terminating')) {
    throw new ApiError(
      403,
      'Forbidden',
      `${t.resource}${t.group ? '.' + t.group : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  }
}

const META_KEYS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);
const COMMON = ['apiVersion', 'kind', 'metadata'];
/** Top-level fields of the built-in kinds whose body is not spec/status. */
const TOP_KEYS: Record<string, string[]> = {
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Event: [
    'involvedObject',
    'reason',
    'message',
    'source',
    'firstTimestamp',
    'lastTimestamp',
    'count',
    'type',
    'eventTime',
    'series',
    'action',
    'related',
    'reportingComponent',
    'reportingInstance',
  ],
  Role: ['rules'],
  RoleBinding: ['subjects', 'roleRef'],
};

/**
 * `fieldValidation` for what the stand-in knows of each kind's shape (top level and metadata; it
 * has no full schemas): Strict → 400 `strict decoding error: unknown field "x"` as the real
 * server answers; Warn (the server's default) → the warnings to send as `Warning` headers.
 */
export function unknownFields(
  t: ResourceType,
  body: Record<string, unknown>,
  mode: string | null,
  builtin: boolean,
): string[] {
  if (!builtin || mode === 'Ignore') return [];
  const allowed = new Set([...COMMON, ...(TOP_KEYS[t.kind] ?? ['spec', 'status'])]);
  const unknown = Object.keys(body).filter((k) => !allowed.has(k));
  if (isObj(body.metadata))
    unknown.push(
      ...Object.keys(body.metadata)
        .filter((k) => !META_KEYS.has(k))
        .map((k) => `metadata.${k}`),
    );
  if (unknown.length > 0 && mode === 'Strict') {
    const detail = unknown.map((u) => `unknown field "${u}"`).join(', ');
    throw new ApiError(
      400,
      'BadRequest',
      `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${detail}`,
    );
  }
  return unknown.map((u) => `unknown field "${u}"`);
}
