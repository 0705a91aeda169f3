import { describe, expect, it } from 'vitest';
import { describeCost, hourlyCost, parsePrices, quantityValue, requestsOf } from '../../src/kube/cost.js';

const workload = (kind: string, replicas: number, cpu: string, memory: string) => ({
  kind,
  spec: { replicas, template: { spec: { containers: [{ resources: { requests: { cpu, memory } } }] } } },
});
const pvc = (storage: string) => ({ kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage } } } });
const prices = { vcpuHour: 0.04, gibHour: 0.005, storageGibHour: 0.0001, spotDiscount: 0.5 };

describe('cost', () => {
  it('reads Kubernetes quantities', () => {
    expect([
      quantityValue('250m'),
      quantityValue('2'),
      quantityValue('512Mi'),
      quantityValue('1Gi'),
      quantityValue('1e3'),
      quantityValue('x'),
    ]).toEqual([0.25, 2, 512 * 2 ** 20, 2 ** 30, 1000, 0]);
  });

  it('requests are pod templates × replicas plus claims; asleep (0 replicas) only the storage counts', () => {
    const awake = [workload('Deployment', 2, '250m', '256Mi'), workload('StatefulSet', 1, '500m', '1Gi'), pvc('10Gi')];
    expect(requestsOf(awake)).toEqual({ cpu: 1, memoryGiB: 1.5, storageGiB: 10 });
    const asleep = [workload('Deployment', 0, '250m', '256Mi'), workload('StatefulSet', 0, '500m', '1Gi'), pvc('10Gi')];
    expect(requestsOf(asleep)).toEqual({ cpu: 0, memoryGiB: 0, storageGiB: 10 });
    // (1 × 0.04 + 1.5 × 0.005) × 0.5 spot + 10 × 0.0001
    expect(hourlyCost(requestsOf(awake), prices)).toBeCloseTo(0.02475, 10);
    expect(hourlyCost(requestsOf(asleep), prices)).toBeCloseTo(0.001, 10);
    expect(describeCost(requestsOf(awake), prices)).toBe('≈ $0.025/h (1 vCPU, 1.5 GiB, 10 GiB storage)');
  });

  it('prices: off when none given; non-negative numbers; spot-discount in [0, 1)', () => {
    const raw = (vcpu: string, gib: string, spot = '', storage = '') => ({
      vcpu: ['price-vcpu-hour', vcpu] as [string, string],
      gib: ['price-gib-hour', gib] as [string, string],
      storage: ['price-storage-gib-hour', storage] as [string, string],
      spot: ['spot-discount', spot] as [string, string],
    });
    expect(parsePrices(raw('', ''))).toBeUndefined();
    expect(parsePrices(raw('0.04', '0.005', '0.7'))).toEqual({
      vcpuHour: 0.04,
      gibHour: 0.005,
      storageGibHour: 0,
      spotDiscount: 0.7,
    });
    expect(() => parsePrices(raw('-1', ''))).toThrow(/Input "price-vcpu-hour" must be a non-negative number/);
    expect(() => parsePrices(raw('0.04', 'cheap'))).toThrow(/Input "price-gib-hour"/);
    expect(() => parsePrices(raw('0.04', '0.005', '1'))).toThrow(
      /Input "spot-discount" must be a number from 0 up to \(not including\) 1/,
    );
    expect(() => parsePrices(raw('0.04', '0.005', '-0.1'))).toThrow(/spot-discount/);
  });
});
