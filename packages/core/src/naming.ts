/**
 * Template variables (Argo CD's pull-request generator names, plus owner/repo/service) and the
 * planner that makes every rendered name valid for where it goes.
 */
import { createHash } from 'node:crypto';
import { InputError } from './runtime/errors.js';

export const TEMPLATE_VARIABLES = [
  'number',
  'branch',
  'branch_slug',
  'target_branch',
  'target_branch_slug',
  'head_sha',
  'head_short_sha',
  'head_short_sha_7',
  'author',
  'owner',
  'repo',
  'service',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateVars = Partial<Record<TemplateVariable, string>>;

/** Defaults shared by every action (deploy and teardown must agree, so they live here once). */
export const DEFAULT_TEMPLATES = {
  namespace: 'preview-pr-{{number}}',
  release: '{{service}}-pr-{{number}}',
  /** One DNS label; the preview domain is appended, so one wildcard certificate covers all. */
  host: '{{service}}-pr-{{number}}',
  vaultSource: 'stage/{{service}}',
  vaultTarget: 'preview/{{service}}-{{number}}',
  ecrRepository: '{{service}}-preview-{{number}}',
  imageTag: 'preview-{{head_sha}}',
  environment: 'preview/pr-{{number}}',
} as const;

/** Kubernetes namespaces a template must never render to. */
export const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Variables for one PR and service. */
export function templateVars(
  pr: {
    number: number;
    headRef?: string;
    baseRef?: string;
    headSha?: string;
    author?: string;
  },
  repository: string,
  service: string,
): TemplateVars {
  const [owner, repo] = repository.split('/');
  const vars: TemplateVars = { number: String(pr.number), owner, repo, service };
  if (pr.headRef) {
    vars.branch = pr.headRef;
    vars.branch_slug = slug(pr.headRef, 50) || shortHash(pr.headRef);
  }
  if (pr.baseRef) {
    vars.target_branch = pr.baseRef;
    vars.target_branch_slug = slug(pr.baseRef, 50) || shortHash(pr.baseRef);
  }
  if (pr.headSha) {
    vars.head_sha = pr.headSha;
    vars.head_short_sha = pr.headSha.slice(0, 8);
    vars.head_short_sha_7 = pr.headSha.slice(0, 7);
  }
  if (pr.author) vars.author = pr.author;
  return vars;
}

/** Renders `{{name}}` (spaces allowed inside the braces); unknown or unavailable names are InputErrors. */
export function renderTemplate(input: string, template: string, vars: TemplateVars): string {
  return template.replace(/\{\{\s*([^{}\s]*)\s*\}\}/g, (_m, name: string) => {
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
      throw new InputError(
        input,
        template,
        `may only use the variables ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`,
        `{{${name}}} is not one of them`,
      );
    }
    const value = vars[name as TemplateVariable];
    if (value === undefined || value === '') {
      throw new InputError(
        input,
        template,
        `uses {{${name}}}, which this event does not provide`,
        'Use a variable every event has, such as {{number}} or {{service}}',
      );
    }
    return value;
  });
}

/** 8 hex characters of SHA-256: stable, and different inputs practically never collide. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/** Lowercase `[a-z0-9-]`, runs of anything else folded to one `-`, no `-` at either end. */
export function slug(value: string, max = 63): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.length <= max ? s : s.slice(0, max).replace(/-+$/, '');
}

/**
 * A DNS-1123 label of at most `max` characters. A name that must be cut keeps a prefix and gets
 * `-<hash of the whole input>`, so two inputs that share a long prefix never collide.
 */
export function dnsLabel(input: string, value: string, max = 63): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') throw new InputError(input, value, 'must render to a name with at least one letter or digit');
  if (s.length <= max) return s;
  const prefix = s.slice(0, max - 9).replace(/-+$/, '');
  return `${prefix}-${shortHash(value)}`;
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The one normalisation of a service name, applied identically by every action (deploy, build,
 * seed, comment and teardown), so a preview deployed as `App Server` is torn down by the same
 * name: trimmed, lowercased, each run of spaces, `.`, `_` or `-` made one `-`. The result must be a DNS-1123 label
 * of at most 63 characters (it goes into release and host names and into a label value).
 */
export function planService(input: string, raw: string): string {
  const accepted =
    'must be a service name: letters, digits, spaces, ".", "_" or "-", starting and ending with a letter or digit (63 at most)';
  const v = raw.trim();
  const name = v.toLowerCase().replace(/[ ._-]+/g, '-');
  if (v === '' || name.length > 63 || !DNS_LABEL.test(name)) {
    throw new InputError(input, raw, accepted, /[/\\]/.test(v) ? 'A service name is one name, not a path' : undefined);
  }
  return name;
}

/** A namespace name; system namespaces are refused outright. */
export function planNamespace(input: string, rendered: string): string {
  const name = dnsLabel(input, rendered, 63);
  if (RESERVED_NAMESPACES.includes(name) || name.startsWith('kube-')) {
    throw new InputError(
      input,
      rendered,
      `must not name a system namespace (${RESERVED_NAMESPACES.join(', ')}, kube-*)`,
      'Keep {{number}} in the template, e.g. preview-pr-{{number}}',
    );
  }
  return name;
}

/** A Helm release name: a DNS-1123 label of at most 53 characters (Helm's limit). */
export function planRelease(input: string, rendered: string): string {
  return dnsLabel(input, rendered, 53);
}

/** A hostname: the rendered label made one DNS label, under the validated preview domain. */
export function planHost(input: string, rendered: string, domainInput: string, domain: string): string {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  const labels = d.split('.');
  if (d === '' || labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l) && l.length <= 63)) {
    throw new InputError(domainInput, domain, 'must be a DNS domain like preview.example.com');
  }
  const label = rendered.toLowerCase().endsWith(`.${d}`) ? rendered.slice(0, -(d.length + 1)) : rendered;
  const host = `${dnsLabel(input, label, 63)}.${d}`;
  if (host.length > 253)
    throw new InputError(domainInput, domain, 'must leave room for a host label (253 characters in all)');
  return host;
}

const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** An ECR repository name (lowercased); anything ECR would reject is an InputError. */
export function planEcrRepository(input: string, rendered: string): string {
  const name = rendered.toLowerCase();
  if (name.length < 2 || name.length > 256 || !ECR_NAME.test(name)) {
    throw new InputError(
      input,
      rendered,
      'must render to a valid ECR repository name: 2-256 characters, lowercase letters, digits and . _ - / between them',
    );
  }
  return name;
}

/** An OCI image tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
export function planImageTag(input: string, rendered: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(rendered)) {
    throw new InputError(
      input,
      rendered,
      'must render to an image tag of up to 128 letters, digits, _ . - (not starting with . or -)',
    );
  }
  return rendered;
}

/** A Vault path: no leading `/`, no empty, `.` or `..` segment, no whitespace or control characters. */
export function planVaultPath(input: string, rendered: string): string {
  const accepted = 'must render to a relative Vault path: no leading "/", no empty, "." or ".." segments, no spaces';
  if (rendered === '' || rendered.startsWith('/') || rendered.endsWith('/') || /[\s\p{Cc}?#%*]/u.test(rendered)) {
    throw new InputError(input, rendered, accepted);
  }
  if (rendered.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) {
    throw new InputError(input, rendered, accepted);
  }
  return rendered;
}

/**
 * The deployment `environment` template, checked before anything is written: it must contain
 * `{{number}}`, so every PR has an environment of its own (with `preview` or `production`, one PR's
 * teardown would reach every PR's deployments; removal also checks the PR in the marks).
 */
export function parseEnvironmentTemplate(input: string, template: string): string {
  const t = template.trim();
  if (t === '')
    throw new InputError(input, template, 'must not be empty', `The default is ${DEFAULT_TEMPLATES.environment}`);
  if (!/\{\{\s*number\s*\}\}/.test(t)) {
    throw new InputError(
      input,
      template,
      'must contain {{number}}, so each pull request has an environment of its own',
      `Use the default ${DEFAULT_TEMPLATES.environment}, or add {{number}} (e.g. ${t.replace(/\/+$/, '')}/pr-{{number}})`,
    );
  }
  return t;
}

/** A GitHub deployment environment name (at most 255 characters). */
export function planEnvironment(input: string, rendered: string): string {
  if (rendered.trim() === '' || rendered.length > 255) {
    throw new InputError(input, rendered, 'must render to an environment name of 1-255 characters');
  }
  return rendered;
}
