/**
 * The PR's Vault copy as a Kubernetes Secret in its namespace: carried by our marks, written by
 * server-side apply through kubectl's stdin (never argv, never a values file), with a checksum of
 * its data that the chart puts in the pod template, so a changed Vault path rolls the pods and an
 * unchanged one restarts nothing.
 */
import { createHash } from 'node:crypto';
import { LABELS, MANAGED_BY, PREFIX, repoLabelValue, type OwnershipMarks } from '../marks.js';
import type { KubeObject } from './namespace.js';

export const CHECKSUM_ANNOTATION = `${PREFIX}/data-checksum`;

/** sha256 over the sorted keys and values: the same data always gives the same checksum. */
export function dataChecksum(data: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(data).sort())
    h.update(`${k.length}:${k}=${Buffer.byteLength(data[k]!)}:`).update(data[k]!);
  return h.digest('hex');
}

/** The marked Secret holding the PR's values (base64 `data`, as the API stores it). */
export function appSecretManifest(args: {
  name: string;
  namespace: string;
  data: Record<string, string>;
  marks: OwnershipMarks;
  source: string;
}): KubeObject {
  return markedSecretManifest({
    ...args,
    annotations: { [CHECKSUM_ANNOTATION]: dataChecksum(args.data), [`${PREFIX}/vault-path`]: args.source },
  });
}

/** An Opaque Secret carrying our marks (labels) and `annotations`; `data` in plain text, stored base64. */
export function markedSecretManifest(args: {
  name: string;
  namespace: string;
  data: Record<string, string>;
  marks: OwnershipMarks;
  annotations: Record<string, string>;
}): KubeObject {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.data)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: args.name,
      namespace: args.namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [LABELS.repo]: repoLabelValue(args.marks.repository),
        [LABELS.pr]: String(args.marks.pr),
      },
      annotations: args.annotations,
    },
    data,
  } as KubeObject;
}
