import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, InputError } from '@preview-fleet/core';
import { DEFAULTS, INPUT_NAMES, parseChart, parseInputs, planDeploy } from '../src/inputs.js';
import { BAD_INPUTS } from './bad-inputs.js';
import { expectDeclaredInputs } from '@preview-fleet/testkit/action-yml';

const actionDir = join(import.meta.dirname, '..');
const chart = join(actionDir, 'test', 'fixtures', 'chart');
const plan = (inputs: Record<string, string>, workspace = actionDir) =>
  planDeploy(parseInputs({ chart, ...inputs }, workspace), { number: 12, headSha: 'c'.repeat(40) }, 'acme/kube');

describe('deploy-helm inputs', () => {
  it("action.yml declares exactly these inputs with the same defaults, and the templates are core's", () => {
    expectDeclaredInputs(actionDir, INPUT_NAMES, DEFAULTS);
    expect([DEFAULTS.namespace, DEFAULTS.release, DEFAULTS.host]).toEqual([
      DEFAULT_TEMPLATES.namespace,
      DEFAULT_TEMPLATES.release,
      DEFAULT_TEMPLATES.host,
    ]);
  });

  it('defaults: namespace, release, guardrails on, no host without a domain', () => {
    const p = plan({});
    expect(p).toMatchObject({
      namespace: 'preview-pr-12',
      release: 'app-pr-12',
      timeoutMs: 300_000,
      stuckAfterMs: 600_000,
      atomic: true,
      ttlMs: 72 * 3600_000,
      maxPreviews: 0,
      values: {},
    });
    expect(p.url).toBeUndefined();
    expect(p.guardrails.quota.enabled && p.guardrails.limitRange.enabled && p.guardrails.networkPolicy.enabled).toBe(
      true,
    );
  });

  it('timeout bounds the step and request-timeout one request (defaults 5m and 30s)', () => {
    expect(parseInputs({ chart }, actionDir)).toMatchObject({ timeoutMs: 300_000, requestTimeoutMs: 30_000 });
    expect(parseInputs({ chart, timeout: '90s', 'request-timeout': '5s' }, actionDir)).toMatchObject({
      timeoutMs: 90_000,
      requestTimeoutMs: 5_000,
    });
  });

  it('image, domain, secret refs, set and values all land in the generated values', () => {
    const p = plan({
      image: '1.dkr.ecr.eu-west-1.amazonaws.com/web-preview-12:preview-abc',
      domain: 'preview.example.com',
      'secret-ref': 'app-env',
      'sensitive-secret-ref': 'vault:preview/app-12',
      set: 'replicaCount=2\nenv.CSV=a,b,c',
      values: 'env:\n  QUOTE: \'say "hi"\'\n',
      'host-key': 'ingress.hosts.0',
      service: 'api',
    });
    expect(p.url).toBe('https://api-pr-12.preview.example.com');
    expect(p.values).toEqual({
      image: { repository: '1.dkr.ecr.eu-west-1.amazonaws.com/web-preview-12', tag: 'preview-abc' },
      ingress: { hosts: { 0: 'api-pr-12.preview.example.com' } },
      secretRef: 'app-env',
      sensitiveSecretRef: 'vault:preview/app-12',
      replicaCount: 2,
      env: { CSV: 'a,b,c', QUOTE: 'say "hi"' },
    });
  });

  it('values files resolve against the workspace, in order', () => {
    const ws = mkdtempSync(join(tmpdir(), 'pf-ws-'));
    writeFileSync(join(ws, 'a.yaml'), 'a: 1\n');
    writeFileSync(join(ws, 'b.yaml'), 'b: 1\n');
    expect(plan({ 'values-files': 'b.yaml\na.yaml' }, ws).valuesFiles).toEqual([
      join(ws, 'b.yaml'),
      join(ws, 'a.yaml'),
    ]);
  });

  it.each([
    ['oci://registry.example.com/charts/web', { chart: 'oci://registry.example.com/charts/web', local: false }],
    ['bitnami/nginx', { chart: 'bitnami/nginx', local: false }],
    ['https://example.com/charts/web-1.0.0.tgz', { chart: 'https://example.com/charts/web-1.0.0.tgz', local: false }],
  ])('chart %s', (raw, expected) => {
    expect(parseChart(raw, actionDir)).toEqual(expected);
  });

  it('a local directory without Chart.yaml is refused', () => {
    expect(() => parseChart('src', actionDir)).toThrow(/directory without Chart.yaml/);
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    let err: unknown;
    try {
      plan(c.inputs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(c.input);
    expect((err as InputError).message).toMatch(c.message);
  });
});
