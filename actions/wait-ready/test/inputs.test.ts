import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@preview-fleet/core';
import { DEFAULTS, INPUT_NAMES, parseInputs } from '../src/inputs.js';
import { BAD_INPUTS } from './bad-inputs.js';
import { expectDeclaredInputs } from '@preview-fleet/testkit/action-yml';

const actionDir = join(import.meta.dirname, '..');

describe('wait-ready inputs', () => {
  it('action.yml declares exactly these inputs with the same defaults', () => {
    expectDeclaredInputs(actionDir, INPUT_NAMES, DEFAULTS);
  });

  it('defaults: deployments and statefulsets, 200-399, 5m, rollouts only without a url', () => {
    expect(parseInputs({ namespace: 'preview-pr-3' })).toEqual({
      namespace: 'preview-pr-3',
      kinds: ['deployments', 'statefulsets'],
      selector: undefined,
      url: undefined,
      expect: [{ min: 200, max: 399 }],
      timeoutMs: 300_000,
      requestTimeoutMs: 30_000,
      headers: {},
      smoke: undefined,
      argocd: undefined,
      warmUp: true,
    });
  });

  it('warm-up: a boolean, refused otherwise with the accepted values (issue 19)', () => {
    expect(parseInputs({ namespace: 'preview-pr-3', 'warm-up': 'false' }).warmUp).toBe(false);
    expect(() => parseInputs({ namespace: 'preview-pr-3', 'warm-up': 'maybe' })).toThrow(/warm-up.*maybe/);
  });

  it('url + health-path, headers, selector, argocd without a namespace', () => {
    const i = parseInputs({
      namespace: 'preview-pr-3',
      url: 'https://app-pr-3.preview.example.com/',
      'health-path': '/healthz?full=1',
      headers: 'X-Preview-Bypass: b',
      selector: 'app.kubernetes.io/instance=app-pr-3',
    });
    expect(i.url?.toString()).toBe('https://app-pr-3.preview.example.com/healthz?full=1');
    expect(i.headers).toEqual({ 'X-Preview-Bypass': 'b' });
    expect(parseInputs({ 'argocd-application': 'app-pr-3' }, 'ABCDEF1')).toMatchObject({
      namespace: '',
      argocd: { namespace: 'argocd', name: 'app-pr-3' },
      argocdRevision: 'abcdef1',
    });
    expect(
      parseInputs({ 'argocd-application': 'app-pr-3', 'argocd-revision': 'c0ffee0' }, 'abcdef1').argocdRevision,
    ).toBe('c0ffee0');
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    let err: unknown;
    try {
      parseInputs({ namespace: 'preview-pr-3', ...c.inputs });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(c.input);
    expect((err as InputError).message).toMatch(c.message);
    expect((err as InputError).message).not.toContain('hunter2-bypass');
  });
});
