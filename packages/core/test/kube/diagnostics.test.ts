import { describe, expect, it } from 'vitest';
import { forgetSecrets, rememberSecret } from '../../src/index.js';
import {
  headlineReasons,
  mergeDiagnostics,
  parseUnreadyPods,
  parseWarningEvents,
  renderDiagnostics,
  type Diagnostics,
} from '../../src/kube/index.js';

const events = {
  items: [
    {
      type: 'Warning',
      reason: 'Failed',
      message: 'Error: ImagePullBackOff',
      involvedObject: { kind: 'Pod', name: 'app-1' },
      count: 4,
      lastTimestamp: '2026-01-01T00:00:05Z',
    },
    {
      type: 'Warning',
      reason: 'FailedCreate',
      message:
        'Error creating: pods "db-0" is forbidden: exceeded quota: preview-fleet, requested: pods=1, used: pods=10, limited: pods=10',
      involvedObject: { kind: 'StatefulSet', name: 'db' },
      count: 2,
      lastTimestamp: '2026-01-01T00:00:07Z',
    },
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      involvedObject: { kind: 'Pod', name: 'worker-1' },
      lastTimestamp: '2026-01-01T00:00:01Z',
    },
  ],
};
const pods = {
  items: [
    {
      metadata: { name: 'app-1' },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } },
          },
        ],
      },
    },
    {
      metadata: { name: 'worker-1' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'w',
            ready: false,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { reason: 'Error', exitCode: 1 } },
          },
        ],
      },
    },
    { metadata: { name: 'fine' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    { metadata: { name: 'seed-job' }, status: { phase: 'Succeeded' } },
  ],
};

describe('diagnostics', () => {
  it('names waiting reasons, quota refusals and Warning events, newest first', () => {
    const ev = parseWarningEvents(events);
    const d: Diagnostics = {
      events: ev,
      pods: parseUnreadyPods(pods),
      quota: ev.filter((e) => /exceeded quota/.test(e.message)),
      errors: [],
      release: {
        name: 'app-pr-1',
        namespace: 'preview-pr-1',
        revision: 3,
        status: 'deployed',
        description: 'Rollback to 2',
      },
    };
    expect(d.pods.map((p) => p.pod)).toEqual(['app-1', 'worker-1']);
    expect(headlineReasons(d)).toEqual(['ImagePullBackOff', 'CrashLoopBackOff', 'exceeded quota']);
    const md = renderDiagnostics(d, {
      namespace: 'preview-pr-1',
      release: 'app-pr-1',
      lastError: 'Error: UPGRADE FAILED: context deadline exceeded',
    });
    expect(md).toContain('**Helm:** release `app-pr-1` revision 3 is `deployed` — Rollback to 2');
    expect(md).toContain('`app-1` (Pending): app: ImagePullBackOff — Back-off pulling image "nope:1"');
    expect(md).toContain('`worker-1` (Running): w: CrashLoopBackOff');
    expect(md).toContain('**Quota:** 1 refusal(s) — Error creating: pods "db-0" is forbidden: exceeded quota');
    expect(md.indexOf('statefulset/db')).toBeLessThan(md.indexOf('pod/app-1'));
    expect(md).toContain('UPGRADE FAILED: context deadline exceeded');
  });

  it('trims long reports and redacts masked values', () => {
    rememberSecret('hunter2-secret');
    const many = {
      items: Array.from({ length: 200 }, (_, i) => ({
        type: 'Warning',
        reason: 'Failed',
        message: `pull hunter2-secret ${'x'.repeat(150)} ${i}`,
        involvedObject: { kind: 'Pod', name: `p-${i}` },
        lastTimestamp: `2026-01-01T00:${String(i % 60).padStart(2, '0')}:00Z`,
      })),
    };
    const d: Diagnostics = { events: parseWarningEvents(many), pods: [], quota: [], errors: [] };
    const md = renderDiagnostics(d, { namespace: 'n' });
    forgetSecrets();
    expect(md.length).toBeLessThanOrEqual(4000);
    expect(md).toContain('| … |  |  | 192 more |');
    expect(md).not.toContain('hunter2-secret');
  });

  it('keeps the pods a rollback removed, from the snapshot taken while failing', () => {
    const before: Diagnostics = {
      events: parseWarningEvents(events),
      pods: parseUnreadyPods(pods),
      quota: [],
      errors: [],
    };
    const after: Diagnostics = {
      events: parseWarningEvents({ items: events.items.slice(0, 1) }),
      pods: [],
      quota: [],
      errors: [],
    };
    const m = mergeDiagnostics(after, before);
    expect(m.pods).toHaveLength(2);
    expect(m.events).toHaveLength(3);
    expect(m.quota).toHaveLength(1);
  });
});
