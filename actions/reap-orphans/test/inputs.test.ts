import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@preview-fleet/core';
import { REAP_KINDS } from '@preview-fleet/core/lifecycle';
import { DEFAULTS, INPUT_NAMES, parseInputs } from '../src/inputs.js';
import { BAD_INPUTS, KUBE_ONLY } from './bad-inputs.js';
import { expectDeclaredInputs } from '@preview-fleet/testkit/action-yml';

describe('reap-orphans inputs', () => {
  it('action.yml declares exactly these inputs with the same defaults', () => {
    expectDeclaredInputs(join(import.meta.dirname, '..'), INPUT_NAMES, DEFAULTS);
    expect(DEFAULTS.kinds).toBe(REAP_KINDS.join(','));
  });

  it('parses the defaults (with Vault by token and a region from AWS_REGION)', () => {
    const i = parseInputs(
      { 'vault-addr': 'http://127.0.0.1:8200', 'auth-method': 'token', token: 't' },
      { AWS_REGION: 'us-east-1' },
    );
    expect(i).toMatchObject({
      label: 'preview',
      keepLabel: 'preview-keep',
      ttlMs: 72 * 3_600_000,
      warnBeforeMs: 24 * 3_600_000,
      staleDays: 0,
      closeAfterDays: 7,
      dryRun: false,
      maxDeletions: 20,
      concurrency: 20,
      awsRegion: 'us-east-1',
      timeoutMs: 1_200_000,
    });
    expect([...i.kinds]).toEqual([...REAP_KINDS]);
    expect(i.vault).toMatchObject({ method: 'token', mount: 'secret', kvVersion: 2, allowedPrefix: 'preview/' });
  });

  it('kinds narrows what needs configuring; warn-before 0s switches warnings off; max-deletions 0 is allowed', () => {
    const i = parseInputs({ ...KUBE_ONLY, 'warn-before': '0s', 'max-deletions': '0' }, {});
    expect([...i.kinds]).toEqual(['namespaces', 'releases', 'deployments']);
    expect(i.vault).toBeUndefined();
    expect(i.awsRegion).toBeUndefined();
    expect(i.warnBeforeMs).toBe(0);
    expect(i.maxDeletions).toBe(0);
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    let err: unknown;
    try {
      parseInputs(c.inputs, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(c.input);
    expect((err as InputError).message).toMatch(c.message);
  });
});
