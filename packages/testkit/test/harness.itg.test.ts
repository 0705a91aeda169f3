import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture } from '../src/bundle-fixture.js';
import { pullRequestEvent, exampleEvent } from '../src/events.js';
import { runActionProcess } from '../src/run-action-process.js';

let actionDir: string;

beforeAll(() => {
  actionDir = bundleFixture('fixture-action');
}, 120_000);

describe('runActionProcess (the runner-style harness)', () => {
  it('bundles as ESM: dist/index.js plus dist/package.json type=module', () => {
    expect(JSON.parse(readFileSync(join(actionDir, 'dist', 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(readFileSync(join(actionDir, 'dist', 'index.js'), 'utf8')).toMatch(/^import /m);
  });

  it('runs the bundle under Node 24 with defaults from action.yml and reads outputs and summary back', async () => {
    const run = await runActionProcess(actionDir, {
      eventName: 'pull_request',
      event: pullRequestEvent('opened', { number: 42, labels: ['preview'] }),
      inputs: { greeting: 'hi', password: 's3cr3t-line-1\ns3cr3t-line-2' },
      env: { GITHUB_TOKEN: 'ghs_faketoken123' },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toEqual({ message: 'hi x3 #42', 'wait-ms': '90000' });
    expect(run.summary).toContain('hi for PR 42');
    expect(run.masked).toEqual(['s3cr3t-line-1', 's3cr3t-line-2']);
    expect(run.log).toContain('password is ***');
    expect(run.leaks).toEqual([]);
    expect(run.log).toMatch(/::group::Context/);
  });

  it('reports a bad input once, naming the input, the value and what is accepted', async () => {
    const run = await runActionProcess(actionDir, {
      eventName: 'schedule',
      event: exampleEvent('workflow_dispatch'),
      inputs: { count: '11' },
    });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toEqual([
      { level: 'error', message: 'Input "count" must be a whole number from 1 to 10, got "11"' },
    ]);
  });

  it('fails the leak check when a masked value reaches the summary', async () => {
    const run = await runActionProcess(actionDir, {
      inputs: { password: 'top-secret-value', leak: 'true' },
      event: pullRequestEvent('opened', { number: 1 }),
    });
    expect(run.exitCode).toBe(0);
    expect(run.leaks).toEqual(['summary: top…']);
  });

  it('refuses inputs that action.yml does not declare', async () => {
    await expect(runActionProcess(actionDir, { inputs: { nope: 'x' } })).rejects.toThrow(
      'input "nope" is not declared',
    );
  });
});
