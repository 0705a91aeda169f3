import { describe, expect, it } from 'vitest';
import { rolledOut } from '../../src/kube/rollout.js';

const deploy = (status: Record<string, unknown>, generation = 2, replicas = 2) => ({
  kind: 'Deployment',
  metadata: { generation },
  spec: { replicas },
  status: { observedGeneration: 2, ...status },
});

describe("rollout complete, by kubectl rollout status's own conditions", () => {
  it.each([
    ['complete', deploy({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), true],
    ['spec not yet observed', deploy({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 3), false],
    ['new replicas not all updated', deploy({ replicas: 2, updatedReplicas: 1, availableReplicas: 1 }), false],
    ['old replicas pending termination', deploy({ replicas: 3, updatedReplicas: 2, availableReplicas: 2 }), false],
    ['updated but not available', deploy({ replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), false],
    [
      'progress deadline exceeded',
      deploy({
        replicas: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
        conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }],
      }),
      false,
    ],
    ['no status at all', { kind: 'Deployment', metadata: { generation: 1 }, spec: { replicas: 1 } }, false],
    [
      'statefulset ready at one revision',
      {
        kind: 'StatefulSet',
        metadata: { generation: 1 },
        spec: { replicas: 1 },
        status: { observedGeneration: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'a' },
      },
      true,
    ],
    [
      'statefulset mid-update',
      {
        kind: 'StatefulSet',
        metadata: { generation: 1 },
        spec: { replicas: 1 },
        status: { observedGeneration: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' },
      },
      false,
    ],
    [
      'daemonset complete',
      {
        kind: 'DaemonSet',
        metadata: { generation: 1 },
        spec: {},
        status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
      },
      true,
    ],
    [
      'daemonset updating',
      {
        kind: 'DaemonSet',
        metadata: { generation: 1 },
        spec: {},
        status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 3 },
      },
      false,
    ],
  ])('%s', (_name, obj, done) => {
    expect(rolledOut(obj)).toBe(done);
  });
});
