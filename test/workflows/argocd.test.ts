/**
 * The Argo CD example as Argo CD and the API server would take it: the ApplicationSet and the
 * Application its pull-request generator makes for a sample PR are valid against the upstream
 * CRDs (../shared/contracts/crds), use seed 000's settings, name what preview-fleet names, and
 * leave a namespace the reaper can own and expire.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { ANNOTATIONS, DEFAULT_TEMPLATES, fromKube, isOwnedBy, renderTemplate, templateVars } from '@preview-fleet/core';
import { planReap } from '@preview-fleet/core/lifecycle';
import { crdValidator, describeErrors } from '@preview-fleet/testkit/crd-schema';

const dir = join(repoRoot, 'workflows-examples');
const appSet = parseYaml(readFileSync(join(dir, 'argocd', 'applicationset.yaml'), 'utf8'));
const validAppSet = crdValidator('argocd.applicationsets.yaml', 'v1alpha1');
const validApp = crdValidator('argocd.applications.yaml', 'v1alpha1');

const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const vars = templateVars(
  { number: 42, headRef: 'feature/login', baseRef: 'main', headSha: HEAD, author: 'octocat' },
  'acme/web',
  'app',
);

/** Argo CD's fasttemplate, with our renderer: any variable the PR generator lacks is an error. */
function render<T>(v: T): T {
  if (typeof v === 'string') return renderTemplate('applicationset', v, vars) as T;
  if (Array.isArray(v)) return v.map(render) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)])) as T;
  return v;
}
const generated = (() => {
  const t = render(appSet.spec.template);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { ...t.metadata, namespace: 'argocd' },
    spec: t.spec,
  };
})();

describe('Argo CD ApplicationSet example', () => {
  it('is valid against the upstream ApplicationSet CRD (unknown fields refused)', () => {
    expect(describeErrors(validAppSet(appSet))).toEqual([]);
  });

  it('the validator is real: a misplaced or misspelled key is refused', () => {
    const moved = structuredClone(appSet);
    moved.spec.generators[0].pullRequest.github.requeueAfterSeconds = 100;
    expect(describeErrors(validAppSet(moved))).toContain(
      '/spec/generators/0/pullRequest/github: must NOT have additional properties (requeueAfterSeconds)',
    );
    const typo = structuredClone(generated);
    typo.spec.syncPolicy.automated.selfheal = true;
    expect(describeErrors(validApp(typo))).toContain(
      '/spec/syncPolicy/automated: must NOT have additional properties (selfheal)',
    );
  });

  it("uses seed 000's settings: the pull-request generator, the preview label, requeueAfterSeconds 100, the head SHA", () => {
    const pr = appSet.spec.generators[0].pullRequest;
    expect(pr.github.labels).toEqual(['preview']);
    expect(pr.requeueAfterSeconds).toBe(100);
    expect(appSet.spec.template.spec.source.targetRevision).toBe('{{head_sha}}');
    expect(appSet.spec.goTemplate).toBe(false);
  });

  it('generates, for PR 42, a valid Application with the names preview-fleet plans', () => {
    expect(describeErrors(validApp(generated))).toEqual([]);
    const name = (t: string) => renderTemplate('t', t, vars);
    expect(generated.spec.destination.namespace).toBe(name(DEFAULT_TEMPLATES.namespace));
    expect(generated.spec.source.helm.releaseName).toBe(name(DEFAULT_TEMPLATES.release));
    expect(generated.metadata.name).toBe(name(DEFAULT_TEMPLATES.release));
    const values = generated.spec.source.helm.valuesObject;
    expect(values.image.repository).toMatch(new RegExp(`/${name(DEFAULT_TEMPLATES.ecrRepository)}$`));
    expect(values.image.tag).toBe(name(DEFAULT_TEMPLATES.imageTag));
    expect(values.ingress.host).toBe(`${name(DEFAULT_TEMPLATES.host)}.preview.example.com`);
    // secretRef is the Secret the chart's VaultStaticSecret creates from seed-vault's copy.
    expect(values.secretRef).toBe('app-pr-42-env');
    expect(values.vault.staticSecret).toMatchObject({
      enabled: true,
      mount: 'secret',
      path: name(DEFAULT_TEMPLATES.vaultTarget),
    });
  });

  it("its namespace carries our marks; with the workflow's expires-at stamp the reaper owns it and expires it", () => {
    const meta = generated.spec.syncPolicy.managedNamespaceMetadata;
    expect(generated.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    expect(isOwnedBy(fromKube(meta.labels, meta.annotations), { repository: 'acme/web', pr: 42 })).toBe(true);
    expect(isOwnedBy(fromKube(meta.labels, meta.annotations), { repository: 'acme/web', pr: 43 })).toBe(false);

    const wf = parseYaml(readFileSync(join(dir, 'preview-argocd.yml'), 'utf8'));
    const stamp = wf.jobs.deploy.steps.find((s: { name?: string }) => s.name?.includes('expires-at'));
    expect(stamp.run).toContain(`"${ANNOTATIONS.expiresAt}=$(date -u -d '+72 hours' +%Y-%m-%dT%H:%M:%SZ)"`);
    expect(stamp.env.NAMESPACE).toBe('preview-pr-${{ github.event.pull_request.number }}');
    const ready = wf.jobs.deploy.steps.find((s: { id?: string }) => s.id === 'ready');
    expect(ready.with['argocd-revision']).toBe('${{ github.event.pull_request.head.sha }}');

    const expiresAt = '2026-11-20T00:00:00Z';
    const marks = fromKube(meta.labels, { ...meta.annotations, [ANNOTATIONS.expiresAt]: expiresAt })!;
    expect(marks.expiresAt).toBe(expiresAt);
    const open = {
      number: 42,
      state: 'open' as const,
      merged: false,
      headSha: HEAD,
      headRef: 'b',
      baseRef: 'main',
      author: 'x',
      labels: ['preview'],
      isFork: false,
    };
    const [plan] = planReap([{ kind: 'namespace', name: 'preview-pr-42', marks }], [open], {
      now: Date.parse('2026-11-24T00:00:00Z'),
      label: 'preview',
      keepLabel: 'preview-keep',
      warnBeforeMs: 0,
    });
    expect(plan!.decision.action).toBe('reap');
  });
});
