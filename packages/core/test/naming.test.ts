import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATES,
  DNS_LABEL,
  dnsLabel,
  planEcrRepository,
  planHost,
  planNamespace,
  planRelease,
  planVaultPath,
  renderTemplate,
  templateVars,
} from '../src/index.js';

const prArb = fc.record({
  number: fc.integer({ min: 1, max: 10_000_000 }),
  headRef: fc.string({ minLength: 1, maxLength: 120 }),
  baseRef: fc.constantFrom('main', 'develop', 'release/2026.11'),
  headSha: fc.stringMatching(/^[0-9a-f]{40}$/),
  author: fc.stringMatching(/^[A-Za-z0-9-]{1,39}$/),
});
const serviceArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,40}$/);
const templateArb = fc.constantFrom(
  DEFAULT_TEMPLATES.namespace,
  DEFAULT_TEMPLATES.release,
  DEFAULT_TEMPLATES.host,
  '{{branch_slug}}-{{number}}',
  '{{service}}-{{branch}}-{{number}}',
  '{{owner}}-{{repo}}-{{service}}-pr-{{number}}-{{head_short_sha}}',
);

describe('name planner (property-based)', () => {
  it('every planned namespace, release and host is valid DNS and within limits', () => {
    fc.assert(
      fc.property(prArb, serviceArb, templateArb, (pr, service, template) => {
        const vars = templateVars(pr, 'Some-Org/Some.Repo', service);
        const rendered = renderTemplate('t', template, vars);
        const ns = planNamespace('namespace', rendered);
        const rel = planRelease('release', rendered);
        const host = planHost('host', rendered, 'domain', 'preview.example.com');
        expect(ns).toMatch(DNS_LABEL);
        expect(ns.length).toBeLessThanOrEqual(63);
        expect(rel).toMatch(DNS_LABEL);
        expect(rel.length).toBeLessThanOrEqual(53);
        const [label, ...rest] = host.split('.');
        expect(label).toMatch(DNS_LABEL);
        expect(label!.length).toBeLessThanOrEqual(63);
        expect(rest.join('.')).toBe('preview.example.com');
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(prArb, serviceArb, templateArb, (pr, service, template) => {
        const a = planRelease('r', renderTemplate('r', template, templateVars(pr, 'o/r', service)));
        const b = planRelease('r', renderTemplate('r', template, templateVars(pr, 'o/r', service)));
        expect(a).toBe(b);
      }),
      { numRuns: 200 },
    );
  });

  it('two different PR numbers never map to the same name, even when cut', () => {
    fc.assert(
      fc.property(
        prArb,
        fc.integer({ min: 1, max: 10_000_000 }),
        serviceArb,
        templateArb,
        (pr, other, service, template) => {
          fc.pre(other !== pr.number);
          const a = renderTemplate('t', template, templateVars(pr, 'o/r', service));
          const b = renderTemplate('t', template, templateVars({ ...pr, number: other }, 'o/r', service));
          expect(planNamespace('n', a)).not.toBe(planNamespace('n', b));
          expect(planRelease('r', a)).not.toBe(planRelease('r', b));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('cuts long names with a stable hash of the whole input', () => {
    const long = `feature-${'x'.repeat(80)}`;
    const a = dnsLabel('n', `${long}-1`);
    const b = dnsLabel('n', `${long}-2`);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^feature-x+-[0-9a-f]{8}$/);
  });

  it('renders the design defaults', () => {
    const vars = templateVars(
      { number: 12, headSha: 'abcdef0123456789abcdef0123456789abcdef01', headRef: 'Feat/Login_Page' },
      'acme/web',
      'api',
    );
    expect(renderTemplate('n', DEFAULT_TEMPLATES.namespace, vars)).toBe('preview-pr-12');
    expect(renderTemplate('r', DEFAULT_TEMPLATES.release, vars)).toBe('api-pr-12');
    expect(renderTemplate('v', DEFAULT_TEMPLATES.vaultTarget, vars)).toBe('preview/api-12');
    expect(renderTemplate('e', DEFAULT_TEMPLATES.ecrRepository, vars)).toBe('api-preview-12');
    expect(renderTemplate('t', DEFAULT_TEMPLATES.imageTag, vars)).toBe(
      'preview-abcdef0123456789abcdef0123456789abcdef01',
    );
    expect(renderTemplate('t', '{{ branch_slug }}/{{head_short_sha}}/{{head_short_sha_7}}', vars)).toBe(
      'feat-login-page/abcdef01/abcdef0',
    );
    expect(planHost('host', 'api-pr-12', 'domain', 'Preview.Example.com.')).toBe('api-pr-12.preview.example.com');
    expect(planEcrRepository('repository', 'Team/API-preview-12')).toBe('team/api-preview-12');
    expect(planVaultPath('p', 'preview/api-12')).toBe('preview/api-12');
  });
});
