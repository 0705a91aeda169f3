import { describe, expect, it } from 'vitest';
import { sleepTargets } from '../../src/kube/scale-to-zero.js';

const hso = (name: string, spec: Record<string, unknown>) => ({ metadata: { name }, spec });

describe('sleepTargets: the workloads an HTTPScaledObject may scale to zero (issue 19)', () => {
  it('replicas.min 0, or unset (the add-on defaults it to 0), makes the target a sleeper; min ≥ 1 never sleeps', () => {
    expect(
      sleepTargets([
        hso('app', {
          scaleTargetRef: { kind: 'Deployment', name: 'app', service: 'app', port: 80 },
          replicas: { min: 0 },
        }),
        hso('api', { scaleTargetRef: { name: 'api', service: 'api', port: 80 } }),
        hso('db', { scaleTargetRef: { kind: 'StatefulSet', name: 'db', service: 'db', port: 5432 } }),
        hso('web', { scaleTargetRef: { name: 'web', service: 'web', port: 80 }, replicas: { min: 1, max: 3 } }),
      ]),
    ).toEqual([
      { kind: 'deployments', name: 'app', scaledObject: 'app' },
      { kind: 'deployments', name: 'api', scaledObject: 'api' },
      { kind: 'statefulsets', name: 'db', scaledObject: 'db' },
    ]);
  });

  it('an object naming only its Service (older add-on versions) targets the Deployment of that name; one naming nothing is skipped', () => {
    expect(sleepTargets([hso('old', { scaleTargetRef: { service: 'old', port: 80 } }), hso('bad', {}), null])).toEqual([
      { kind: 'deployments', name: 'old', scaledObject: 'old' },
    ]);
  });
});
