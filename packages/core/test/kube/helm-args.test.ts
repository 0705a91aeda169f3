import { describe, expect, it } from 'vitest';
import { goDuration, parseHelmMajor, rollbackArgs, uninstallArgs, upgradeArgs } from '../../src/kube/index.js';

const upgrade = {
  release: 'app-pr-12',
  namespace: 'preview-pr-12',
  chart: './chart',
  valuesFiles: ['/a.yaml', '/gen.yaml'],
  timeoutMs: 90_000,
  atomic: true,
  labels: { 'preview-fleet.dev/pr': '12' },
};

describe('helm argv per major', () => {
  it('Helm 3: --atomic and --wait', () => {
    expect(upgradeArgs(3, upgrade)).toEqual([
      'upgrade',
      'app-pr-12',
      './chart',
      '--install',
      '--namespace',
      'preview-pr-12',
      '--values',
      '/a.yaml',
      '--values',
      '/gen.yaml',
      '--wait',
      '--timeout',
      '90s',
      '--atomic',
      '--cleanup-on-fail',
      '--labels',
      'preview-fleet.dev/pr=12',
    ]);
  });

  it('Helm 4: --rollback-on-failure and --wait=watcher; no --atomic', () => {
    const args = upgradeArgs(4, { ...upgrade, chartVersion: '1.2.3' });
    expect(args).toContain('--rollback-on-failure');
    expect(args).toContain('--wait=watcher');
    expect(args).not.toContain('--atomic');
    expect(args.slice(args.indexOf('--version'), args.indexOf('--version') + 2)).toEqual(['--version', '1.2.3']);
  });

  it('without atomic neither flag is passed', () => {
    for (const major of [3, 4] as const) {
      const args = upgradeArgs(major, { ...upgrade, atomic: false });
      expect(args).not.toContain('--atomic');
      expect(args).not.toContain('--rollback-on-failure');
    }
  });

  it('rollback waits per major; uninstall treats not-found as done', () => {
    expect(rollbackArgs(3, { release: 'r', namespace: 'n', revision: 2, timeoutMs: 60_000 })).toEqual([
      'rollback',
      'r',
      '2',
      '--namespace',
      'n',
      '--wait',
      '--timeout',
      '60s',
      '--cleanup-on-fail',
    ]);
    expect(rollbackArgs(4, { release: 'r', namespace: 'n', revision: 2, timeoutMs: 60_000 })).toContain(
      '--wait=watcher',
    );
    expect(uninstallArgs(3, { release: 'r', namespace: 'n', timeoutMs: 1000 })).toEqual([
      'uninstall',
      'r',
      '--namespace',
      'n',
      '--ignore-not-found',
      '--timeout',
      '1s',
    ]);
  });

  it('parses versions and Go durations', () => {
    expect(parseHelmMajor('v3.17.3+ge4da497')).toBe(3);
    expect(parseHelmMajor('v4.1.4')).toBe(4);
    expect(() => parseHelmMajor('v2.16.0')).toThrow(/Unsupported Helm version "v2.16.0"/);
    expect(goDuration(300_000)).toBe('300s');
    expect(goDuration(1500)).toBe('2s');
  });
});
