import { describe, expect, it } from 'vitest';
import { describeRecovery, parseReleaseHistory, parseReleaseStatus, planRecovery } from '../../src/kube/index.js';

const h = (...entries: Array<[number, string]>) => entries.map(([revision, status]) => ({ revision, status, description: '' }));

describe('stuck release recovery plan', () => {
  it.each([
    ['absent release', [], { action: 'none' }],
    ['healthy release', h([1, 'superseded'], [2, 'deployed']), { action: 'none' }],
    ['failed release (helm upgrades it)', h([1, 'deployed'], [2, 'failed']), { action: 'none' }],
    ['pending-upgrade over a deployed revision', h([1, 'superseded'], [2, 'deployed'], [3, 'pending-upgrade']), { action: 'rolled-back', from: 3, fromStatus: 'pending-upgrade', to: 2 }],
    ['pending-rollback after a failure', h([1, 'superseded'], [2, 'failed'], [3, 'pending-rollback']), { action: 'rolled-back', from: 3, fromStatus: 'pending-rollback', to: 1 }],
    ['pending-install', h([1, 'pending-install']), { action: 'uninstalled', from: 1, fromStatus: 'pending-install' }],
    ['pending-upgrade over failures only', h([1, 'failed'], [2, 'pending-upgrade']), { action: 'uninstalled', from: 2, fromStatus: 'pending-upgrade' }],
  ])('%s', (_name, history, expected) => {
    expect(planRecovery(history)).toEqual(expected);
  });

  it('says what it did', () => {
    expect(describeRecovery('app-pr-1', { action: 'rolled-back', from: 3, fromStatus: 'pending-upgrade', to: 2 })).toMatch(/stuck in pending-upgrade \(revision 3.*rolled back to revision 2/);
    expect(describeRecovery('app-pr-1', { action: 'none' })).toBeUndefined();
  });

  it('parses helm status and history JSON', () => {
    const status = parseReleaseStatus(JSON.stringify({ name: 'app-pr-1', namespace: 'preview-pr-1', version: 4, info: { status: 'failed', description: 'Upgrade "app-pr-1" failed: context deadline exceeded' }, chart: { metadata: { name: 'preview', version: '0.1.0' } } }));
    expect(status).toMatchObject({ revision: 4, status: 'failed', chart: 'preview-0.1.0', description: expect.stringContaining('deadline') });
    expect(parseReleaseHistory(JSON.stringify([{ revision: 2, status: 'deployed' }, { revision: 1, status: 'superseded' }])).map((e) => e.revision)).toEqual([1, 2]);
  });
});
