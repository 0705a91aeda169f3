import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/runtime/errors.js';
import { parseQuotaInput, sharedQuotaInput } from '../../src/kube/guardrails.js';

describe('sharedQuotaInput', () => {
  it('gives a namespace shared by N services N times the per-service defaults', () => {
    expect(sharedQuotaInput('true', 6)).toBe(
      'requests.cpu=3000m\nrequests.memory=3072Mi\nlimits.cpu=6\nlimits.memory=6Gi\npods=60',
    );
    expect(sharedQuotaInput('', 1)).toBe(
      'requests.cpu=500m\nrequests.memory=512Mi\nlimits.cpu=1\nlimits.memory=1Gi\npods=10',
    );
    // deploy-helm reads it like any user's overrides.
    expect(parseQuotaInput(sharedQuotaInput('true', 2))).toEqual({
      enabled: true,
      settings: {
        'requests.cpu': '1000m',
        'requests.memory': '1024Mi',
        'limits.cpu': '2',
        'limits.memory': '2Gi',
        pods: '20',
      },
    });
  });

  it("keeps the user's own totals, scales the rest and leaves false off", () => {
    expect(sharedQuotaInput('pods=15\nlimits.cpu=3', 2)).toBe(
      'requests.cpu=1000m\nrequests.memory=1024Mi\nlimits.cpu=3\nlimits.memory=2Gi\npods=15',
    );
    expect(sharedQuotaInput('false', 6)).toBe('false');
    expect(() => sharedQuotaInput('pods=lots', 2)).toThrow(InputError);
  });
});
