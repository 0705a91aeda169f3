import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/index.js';
import { checkQuantity, isCountResource, parseQuotaInput } from '../../src/kube/index.js';

function rejected(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

const suffix = fc.constantFrom('', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'n', 'u');

describe('Kubernetes quantities (issue 14 item 12)', () => {
  it('accepts the forms quantity.go documents', () => {
    for (const q of [
      '0',
      '1',
      '500m',
      '1.5',
      '1.',
      '.5',
      '+2',
      '1Gi',
      '512Mi',
      '2e3',
      '2E3',
      '1e-3',
      '100n',
      '7Ei',
      '9223372036854775807',
    ]) {
      expect(checkQuantity('resource-quota', `x=${q}`, q)).toBe(q);
    }
  });

  it('every small non-negative number with a suffix is accepted', () => {
    fc.assert(
      fc.property(fc.nat(10 ** 9), fc.option(fc.nat(999), { nil: undefined }), suffix, (n, frac, s) => {
        const q = `${n}${frac === undefined ? '' : `.${frac}`}${s}`;
        expect(checkQuantity('limit-range', q, q)).toBe(q);
      }),
    );
  });

  it.each([
    ['1e999', 'at most 9223372036854775807'],
    ['8Ei', 'at most 9223372036854775807'],
    ['9223372036854775808', 'at most'],
    ['1e99999', 'at most'],
    ['-1', 'not negative'],
    ['lots', 'Kubernetes quantity'],
    ['1e', 'Kubernetes quantity'],
    ['1.5.5', 'Kubernetes quantity'],
    ['1KiB', 'Kubernetes quantity'],
    ['1 Gi', 'Kubernetes quantity'],
    ['1e1.5', 'Kubernetes quantity'],
  ])('refuses %s', (q, phrase) => {
    const e = rejected(() => checkQuantity('resource-quota', `requests.memory=${q}`, q));
    expect(e.message).toContain(`Input "resource-quota" must give each key a Kubernetes quantity`);
    expect(e.message).toContain(phrase);
  });

  it('counted resources must be whole numbers; cpu and memory need not be', () => {
    expect(
      ['pods', 'services', 'count/deployments.apps', 'requests.nvidia.com/gpu', 'secrets'].every(isCountResource),
    ).toBe(true);
    expect(
      ['requests.cpu', 'limits.memory', 'requests.storage', 'requests.ephemeral-storage'].some(isCountResource),
    ).toBe(false);
    expect(rejected(() => parseQuotaInput('pods=1500m')).message).toContain('whole number');
    expect(rejected(() => parseQuotaInput('pods=1e999')).message).toContain('got "pods=1e999"');
    expect(parseQuotaInput('pods=2e1\nrequests.cpu=1500m')).toMatchObject({
      enabled: true,
      settings: { pods: '2e1', 'requests.cpu': '1500m' },
    });
  });
});
