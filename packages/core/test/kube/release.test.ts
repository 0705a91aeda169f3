import { describe, expect, it } from 'vitest';
import {
  describeInProgress,
  describeRecovery,
  parseReleaseHistory,
  parseReleaseStatus,
  planRecovery,
} from '../../src/kube/index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const STUCK_AFTER = 5 * 60_000;
const at = { now: NOW, stuckAfterMs: STUCK_AFTER };
/** Revisions updated an hour before NOW (long past stuck-after), unless an entry gives its own `updated`. */
const h = (...entries: Array<[number, string, string?]>) =>
  entries.map(([revision, status, updated]) => ({
    revision,
    status,
    description: '',
    updated: updated ?? new Date(NOW - 3600_000).toISOString(),
  }));
const stale = { ageMs: 3600_000, stuckAfterMs: STUCK_AFTER };

describe('stuck release recovery plan', () => {
  it.each([
    ['absent release', [], { action: 'none' }],
    ['healthy release', h([1, 'superseded'], [2, 'deployed']), { action: 'none' }],
    ['failed release (helm upgrades it)', h([1, 'deployed'], [2, 'failed']), { action: 'none' }],
    [
      'pending-upgrade over a deployed revision',
      h([1, 'superseded'], [2, 'deployed'], [3, 'pending-upgrade']),
      { action: 'rolled-back', from: 3, fromStatus: 'pending-upgrade', to: 2, ...stale },
    ],
    [
      'pending-rollback after a failure',
      h([1, 'superseded'], [2, 'failed'], [3, 'pending-rollback']),
      { action: 'rolled-back', from: 3, fromStatus: 'pending-rollback', to: 1, ...stale },
    ],
    [
      'pending-install',
      h([1, 'pending-install']),
      { action: 'uninstalled', from: 1, fromStatus: 'pending-install', ...stale },
    ],
    [
      'pending-upgrade over failures only',
      h([1, 'failed'], [2, 'pending-upgrade']),
      { action: 'uninstalled', from: 2, fromStatus: 'pending-upgrade', ...stale },
    ],
    [
      "pending-upgrade exactly stuck-after old (helm's nanosecond time)",
      h([1, 'deployed'], [2, 'pending-upgrade', '2025-06-01T11:55:00.000000000Z']),
      {
        action: 'rolled-back',
        from: 2,
        fromStatus: 'pending-upgrade',
        to: 1,
        ageMs: STUCK_AFTER,
        stuckAfterMs: STUCK_AFTER,
      },
    ],
    [
      'pending-upgrade updated 4m59s ago: another deploy is running it',
      h([1, 'deployed'], [2, 'pending-upgrade', '2025-06-01T11:55:01.123456789Z']),
      { action: 'in-progress', from: 2, fromStatus: 'pending-upgrade', ageMs: 298_877, stuckAfterMs: STUCK_AFTER },
    ],
    [
      'pending-install updated just now',
      h([1, 'pending-install', '2025-06-01T12:00:00Z']),
      { action: 'in-progress', from: 1, fromStatus: 'pending-install', ageMs: 0, stuckAfterMs: STUCK_AFTER },
    ],
    [
      "pending-upgrade with no readable update time: don't know, touch nothing",
      [
        { revision: 1, status: 'deployed', description: '' },
        { revision: 2, status: 'pending-upgrade', description: '' },
      ],
      { action: 'in-progress', from: 2, fromStatus: 'pending-upgrade', stuckAfterMs: STUCK_AFTER },
    ],
  ])('%s', (_name, history, expected) => {
    expect(planRecovery(history, at)).toEqual(expected);
  });

  it('stuck-after 0s treats every pending release as stuck', () => {
    expect(
      planRecovery(h([1, 'deployed'], [2, 'pending-upgrade', new Date(NOW).toISOString()]), {
        now: NOW,
        stuckAfterMs: 0,
      }),
    ).toMatchObject({ action: 'rolled-back', to: 1 });
  });

  it('says what it did, and why it did nothing, naming stuck-after', () => {
    expect(
      describeRecovery('app-pr-1', { action: 'rolled-back', from: 3, fromStatus: 'pending-upgrade', to: 2, ...stale }),
    ).toMatch(
      /stuck in pending-upgrade \(revision 3, last updated 1h ago, over stuck-after 5m.*rolled back to revision 2/,
    );
    expect(
      describeInProgress('app-pr-1', 'preview-pr-1', {
        action: 'in-progress',
        from: 3,
        fromStatus: 'pending-upgrade',
        ageMs: 42_500,
        stuckAfterMs: STUCK_AFTER,
      }),
    ).toBe(
      'Release "app-pr-1" in "preview-pr-1" is pending-upgrade (revision 3, last updated 42s ago): another deploy appears to be running it right now. ' +
        'A pending release is treated as stuck (and rolled back or uninstalled) only once it is older than stuck-after (5m); not deploying.',
    );
    expect(describeRecovery('app-pr-1', { action: 'none' })).toBeUndefined();
  });

  it('parses helm status and history JSON', () => {
    const status = parseReleaseStatus(
      JSON.stringify({
        name: 'app-pr-1',
        namespace: 'preview-pr-1',
        version: 4,
        info: { status: 'failed', description: 'Upgrade "app-pr-1" failed: context deadline exceeded' },
        chart: { metadata: { name: 'preview', version: '0.1.0' } },
      }),
    );
    expect(status).toMatchObject({
      revision: 4,
      status: 'failed',
      chart: 'preview-0.1.0',
      description: expect.stringContaining('deadline'),
    });
    expect(
      parseReleaseHistory(
        JSON.stringify([
          { revision: 2, status: 'deployed' },
          { revision: 1, status: 'superseded' },
        ]),
      ).map((e) => e.revision),
    ).toEqual([1, 2]);
  });
});
