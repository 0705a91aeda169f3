import { describe, expect, it } from 'vitest';
import { applicationReady, applicationState, describeApplication, hasSyncedRevision } from '../../src/kube/argocd.js';

const HEAD = '0123456789abcdef0123456789abcdef01234567';
const OLD = 'fedcba9876543210fedcba9876543210fedcba98';
const app = (status: object) => applicationState({ status });

describe('Argo CD Application readiness', () => {
  it('Synced + Healthy at the previous commit is not ready for the head SHA', () => {
    const s = app({ sync: { status: 'Synced', revision: OLD }, health: { status: 'Healthy' } });
    expect(applicationReady(s)).toBe(true);
    expect(applicationReady(s, HEAD)).toBe(false);
    expect(describeApplication(s, HEAD)).toBe(
      'Synced/Healthy at fedcba987654 — not yet 0123456789ab (synced fedcba987654)',
    );
  });

  it('accepts the head SHA as sync revision, in a multi-source revisions list, or as an image tag', () => {
    expect(hasSyncedRevision(app({ sync: { revision: HEAD.toUpperCase() } }), HEAD)).toBe(true);
    expect(hasSyncedRevision(app({ sync: { revisions: ['c'.repeat(40), HEAD] } }), HEAD)).toBe(true);
    expect(
      hasSyncedRevision(
        app({ sync: { revision: OLD }, summary: { images: [`registry:5000/app-preview-3:preview-${HEAD}`] } }),
        HEAD,
      ),
    ).toBe(true);
    expect(
      hasSyncedRevision(
        app({ sync: { revision: OLD }, summary: { images: [`ecr.example/app:${HEAD}@sha256:abc`] } }),
        HEAD,
      ),
    ).toBe(true);
  });

  it('does not take a SHA found elsewhere in an image name, another tag or a prefix for it', () => {
    expect(hasSyncedRevision(app({ summary: { images: [`registry/${HEAD}/app:latest`] } }), HEAD)).toBe(false);
    expect(hasSyncedRevision(app({ summary: { images: [`registry/app:preview-${OLD}`] } }), HEAD)).toBe(false);
    expect(hasSyncedRevision(app({ sync: { revision: HEAD.slice(0, 7) } }), HEAD)).toBe(false);
    expect(hasSyncedRevision(app({}), HEAD)).toBe(false);
  });

  it('Degraded or OutOfSync at the head SHA is not ready', () => {
    expect(
      applicationReady(app({ sync: { status: 'Synced', revision: HEAD }, health: { status: 'Degraded' } }), HEAD),
    ).toBe(false);
    expect(
      applicationReady(app({ sync: { status: 'OutOfSync', revision: HEAD }, health: { status: 'Healthy' } }), HEAD),
    ).toBe(false);
    expect(
      applicationReady(app({ sync: { status: 'Synced', revision: HEAD }, health: { status: 'Healthy' } }), HEAD),
    ).toBe(true);
  });
});
