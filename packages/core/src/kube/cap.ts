/**
 * The `max-previews` cap: our marked namespaces for this repository are the previews that exist.
 * A new preview over the cap fails, naming the oldest ones (the ones to close or unlabel).
 */
import { ActionError } from '../runtime/errors.js';
import { fromKube, kubeSelector, type OwnershipMarks } from '../marks.js';
import { kubectlJson, type KubeTools } from './tools.js';

export interface PreviewNamespace {
  name: string;
  marks: OwnershipMarks;
}

/** Every namespace carrying our marks for `repository` (label selector, then marks re-checked). */
export async function listPreviewNamespaces(tools: KubeTools, repository: string): Promise<PreviewNamespace[]> {
  const list = await kubectlJson(tools, ['get', 'namespaces', '--selector', kubeSelector(repository)]);
  const out: PreviewNamespace[] = [];
  for (const ns of list.items ?? []) {
    const marks = fromKube(ns.metadata?.labels, ns.metadata?.annotations);
    if (marks && marks.repository.toLowerCase() === repository.toLowerCase())
      out.push({ name: ns.metadata.name, marks });
  }
  return out.sort((a, b) => a.marks.createdAt.localeCompare(b.marks.createdAt) || a.name.localeCompare(b.name));
}

/**
 * Throws when deploying PR `pr` would exceed `max` previews. A PR that already has a preview is
 * never blocked (an upgrade adds nothing); `max` 0 means no cap.
 */
export function checkCap(existing: PreviewNamespace[], pr: number, max: number): void {
  if (max <= 0) return;
  if (existing.some((e) => e.marks.pr === pr)) return;
  const prs = new Set(existing.map((e) => e.marks.pr));
  if (prs.size < max) return;
  const oldest = existing
    .slice(0, 5)
    .map((e) => `${e.name} (PR #${e.marks.pr}, created ${e.marks.createdAt || 'unknown'})`);
  throw new ActionError(
    `The cap of ${max} preview(s) is reached (${prs.size} exist); not deploying PR #${pr}. Oldest: ${oldest.join(', ')}`,
    {
      hint: 'Close or unlabel an old preview, or raise max-previews',
    },
  );
}
