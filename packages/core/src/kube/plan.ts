/**
 * Names of one service's preview (namespace, release, host) from the shared templates. Deploy,
 * wait-ready, teardown and the all-in-one action plan them the same way, so they always agree.
 */
import { DEFAULT_TEMPLATES, planHost, planNamespace, planRelease, renderTemplate, templateVars } from '../naming.js';

export interface PreviewNameTemplates {
  namespace?: string;
  release?: string;
  /** One label (the domain is appended) or a full host under `domain`. */
  host?: string;
}

export interface PreviewNames {
  namespace: string;
  release: string;
  /** Only when a domain is known. */
  host?: string;
  url?: string;
}

export function planPreviewNames(args: {
  pr: { number: number; headRef?: string; baseRef?: string; headSha?: string; author?: string };
  repository: string;
  service: string;
  templates?: PreviewNameTemplates;
  domain?: string;
}): PreviewNames {
  const vars = templateVars(args.pr, args.repository, args.service);
  const t = { ...DEFAULT_TEMPLATES, ...Object.fromEntries(Object.entries(args.templates ?? {}).filter(([, v]) => v)) };
  const namespace = planNamespace('namespace', renderTemplate('namespace', t.namespace, vars));
  const release = planRelease('release', renderTemplate('release', t.release, vars));
  const names: PreviewNames = { namespace, release };
  if (args.domain && args.domain.trim() !== '') {
    names.host = planHost('host', renderTemplate('host', t.host, vars), 'domain', args.domain);
    names.url = `https://${names.host}`;
  }
  return names;
}
