import { describe, expect, it } from 'vitest';
import { jobSeconds, parseSeedLine, renderSeed } from '../../src/kube/seed.js';

describe("the seed Job's report", () => {
  it('takes the counts of the last preview-seed: line, in order, ignoring pairs that are not name=integer', () => {
    const log =
      'psql:/seed/seed.sql:7: NOTICE:  relation "users" already exists, skipping\npreview-seed: users=1 orders=2\npreview-seed: users=50 orders=150 note=x=y bad=-1\n';
    expect(parseSeedLine(log)).toEqual([
      ['users', 50],
      ['orders', 150],
    ]);
    expect(parseSeedLine('no report here\n')).toBeUndefined();
    expect(parseSeedLine('  preview-seed: users=5')).toBeUndefined();
  });

  it('times the Job from status.startTime to status.completionTime (whole seconds, as Kubernetes records them)', () => {
    expect(jobSeconds({ startTime: '2025-01-01T10:00:00Z', completionTime: '2025-01-01T10:00:45Z' })).toBe(45);
    expect(jobSeconds({ startTime: '2025-01-01T10:00:00Z' })).toBeUndefined();
    expect(jobSeconds({ startTime: '2025-01-01T10:00:05Z', completionTime: '2025-01-01T10:00:00Z' })).toBeUndefined();
  });

  it('renders one line per state', () => {
    expect(
      renderSeed({
        job: 'app-pr-7-seed',
        state: 'complete',
        counts: [
          ['users', 50],
          ['orders', 150],
        ],
        seconds: 45,
      }),
    ).toBe('**Seed:** ✅ seeded: users=50, orders=150 in 45s');
    expect(renderSeed({ job: 'app-pr-7-seed', state: 'complete', counts: [['users', 20000]], seconds: 0 })).toBe(
      '**Seed:** ✅ seeded: users=20000 in 0s',
    );
    expect(renderSeed({ job: 's', state: 'complete', seconds: 75 })).toBe(
      '**Seed:** ✅ job `s` completed in 1m15s; its log has no `preview-seed:` line',
    );
    expect(
      renderSeed({
        job: 's',
        state: 'failed',
        reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
      }),
    ).toBe('**Seed:** ❌ job `s` failed (BackoffLimitExceeded: Job has reached the specified backoff limit)');
    expect(renderSeed({ job: 's', state: 'running' })).toBe('**Seed:** ⏳ job `s` has not finished');
    expect(renderSeed({ job: 's', state: 'missing' })).toContain('not found');
  });
});
