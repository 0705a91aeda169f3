import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromEcrTags,
  fromKube,
  fromVaultMetadata,
  isOwnedBy,
  isValidLabelValue,
  kubeSelector,
  newMarks,
  repoLabelValue,
  toEcrTags,
  toKubeAnnotations,
  toKubeLabels,
  toVaultMetadata,
} from '../src/index.js';

const now = Date.parse('2026-11-24T00:00:00Z');

describe('ownership marks', () => {
  it('round-trip through every encoding', () => {
    const m = newMarks({ repository: 'acme/web', pr: 12, service: 'api', headSha: 'abc123', now, ttlMs: 3_600_000 });
    expect(m.expiresAt).toBe('2026-11-24T01:00:00.000Z');
    expect(fromKube(toKubeLabels(m), toKubeAnnotations(m))).toEqual(m);
    expect(fromEcrTags(toEcrTags(m))).toEqual(m);
    expect(fromVaultMetadata(toVaultMetadata(m))).toEqual(m);
    expect(kubeSelector('acme/web', 12)).toBe(
      'app.kubernetes.io/managed-by=preview-fleet,preview-fleet.dev/repo=acme.web,preview-fleet.dev/pr=12',
    );
  });

  it('label values are valid for any repository name', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9-]{1,39}$/),
        fc.stringMatching(/^[A-Za-z0-9._-]{1,100}$/),
        (owner, repo) => {
          const v = repoLabelValue(`${owner}/${repo}`);
          expect(isValidLabelValue(v)).toBe(true);
          for (const value of Object.values(toKubeLabels(newMarks({ repository: `${owner}/${repo}`, pr: 1, now })))) {
            expect(isValidLabelValue(value)).toBe(true);
          }
        },
      ),
    );
  });

  it('refuses what is not ours, another repository or another PR', () => {
    const m = newMarks({ repository: 'acme/web', pr: 12, now });
    expect(fromKube({}, {})).toBeUndefined();
    expect(
      fromKube({ 'app.kubernetes.io/managed-by': 'Helm', 'preview-fleet.dev/pr': '12' }, toKubeAnnotations(m)),
    ).toBeUndefined();
    // labels claim one repository, the annotation another: not trusted
    expect(
      fromKube(toKubeLabels(m), { ...toKubeAnnotations(m), 'preview-fleet.dev/repository': 'evil/web' }),
    ).toBeUndefined();
    expect(
      fromVaultMetadata({
        'preview-fleet.dev/managed-by': 'preview-fleet',
        'preview-fleet.dev/pr': 'x',
        'preview-fleet.dev/repository': 'acme/web',
      }),
    ).toBeUndefined();
    expect(fromEcrTags([{ Key: 'owner', Value: 'team' }])).toBeUndefined();
    expect(isOwnedBy(m, { repository: 'ACME/Web', pr: 12 })).toBe(true);
    expect(isOwnedBy(m, { repository: 'acme/web' })).toBe(true);
    expect(isOwnedBy(m, { repository: 'acme/web', pr: 13 })).toBe(false);
    expect(isOwnedBy(m, { repository: 'acme/api', pr: 12 })).toBe(false);
    expect(isOwnedBy(undefined, { repository: 'acme/web', pr: 12 })).toBe(false);
  });
});
