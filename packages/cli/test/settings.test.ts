/**
 * The CLI's settings and the GitLab job it reads: one rule (flag > PREVIEW_FLEET_* > the action's
 * default), every error naming the setting or variable, the value and what is accepted, and the
 * generated settings/doc kept equal to action.yml.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readGitLabJob } from '@preview-fleet/core/forge';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { prepare } from '../src/context.js';
import { SETTINGS, parseInvocation, settingEnvName } from '../src/settings.js';

const JOB = {
  GITLAB_CI: 'true',
  CI_SERVER_URL: 'https://gitlab.example.com',
  CI_PROJECT_ID: '42',
  CI_PROJECT_PATH: 'acme/web',
  CI_MERGE_REQUEST_IID: '7',
  CI_COMMIT_SHA: 'a'.repeat(40),
  CI_PIPELINE_ID: '1001',
  CI_JOB_ID: '5001',
  PREVIEW_FLEET_GITLAB_TOKEN: 'glpat-test-token-0001',
};

describe('settings', () => {
  it('a flag wins over PREVIEW_FLEET_*, which wins over the default from action.yml', () => {
    const env = { PREVIEW_FLEET_LABEL: 'from-env', PREVIEW_FLEET_VAULT_ADDR: 'https://env-vault' };
    const inv = parseInvocation(['deploy', '--vault-addr', 'https://flag-vault', '--timeout=5m'], env);
    expect(inv.values['vault-addr']).toBe('https://flag-vault');
    expect(inv.values.timeout).toBe('5m');
    expect(inv.values.label).toBe('from-env');
    expect(inv.values.services).toBe('app');
    expect(inv.given).toEqual(new Set(['vault-addr', 'timeout', 'label']));
    expect(settingEnvName('vault-addr')).toBe('PREVIEW_FLEET_VAULT_ADDR');
  });

  it.each([
    [['destroy'], /Input "command" must be one of deploy, teardown, reap, status, got "destroy"/],
    [['deploy', '--vault-adr', 'x'], /Input "--vault-adr".*must be a known setting/s],
    [['deploy', '--label'], /Input "--label".*needs a value/s],
    [['deploy', 'stray'], /Input "argument" must be a flag.*got "stray"/s],
  ])('%j is refused, naming the argument and what is accepted', (argv, message) => {
    expect(() => parseInvocation(argv, {})).toThrow(message);
  });

  it("the settings are the all-in-one action's inputs with its defaults (GitHub expressions emptied); the doc is generated", () => {
    const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (name === 'mode') continue;
      const d = String(spec.default ?? '');
      expect(SETTINGS[name]?.default, name).toBe(d.includes('${{') ? '' : d);
    }
    execFileSync(process.execPath, [join(repoRoot, 'scripts/cli-docs.mjs'), '--check'], { cwd: repoRoot });
  });
});

describe('the GitLab job', () => {
  it('reads the CI_* variables', () => {
    expect(readGitLabJob(JOB)).toMatchObject({
      serverUrl: 'https://gitlab.example.com',
      projectId: '42',
      projectPath: 'acme/web',
      mergeRequestIid: 7,
      pipelineId: 1001,
      jobId: 5001,
      token: 'glpat-test-token-0001',
    });
  });

  it.each([
    [{ CI_PROJECT_PATH: 'acme/platform/web' }, /Input "CI_PROJECT_PATH".*subgroups.*got "acme\/platform\/web"/s],
    [{ CI_SERVER_URL: 'gitlab' }, /Input "CI_SERVER_URL".*"gitlab"/s],
    [{ CI_MERGE_REQUEST_IID: 'seven' }, /Input "CI_MERGE_REQUEST_IID".*"seven"/s],
    [{ CI_COMMIT_SHA: 'abc' }, /Input "CI_COMMIT_SHA".*40-character/s],
    [{ PREVIEW_FLEET_GITLAB_TOKEN: '', CI_JOB_TOKEN: '' }, /Input "PREVIEW_FLEET_GITLAB_TOKEN".*project access token/s],
  ])('%o is refused, naming the variable', (bad, message) => {
    expect(() => readGitLabJob({ ...JOB, ...bad })).toThrow(message);
  });

  it.each([
    [['deploy', '--services', 'web,'], {}, null],
    [['deploy', '--services', 'web!'], {}, /Input "services".*"web!"/s],
    [['deploy', '--pr-number', '8'], {}, /Input "pr-number" must match CI_MERGE_REQUEST_IID \(7\).*got "8"/s],
    [['teardown'], { CI_MERGE_REQUEST_IID: '' }, /Input "pr-number".*required for "teardown"/s],
    [['reap'], { GITLAB_CI: 'false' }, /GITLAB_CI is not "true"/],
    [['status', '--request-timeout', 'forever'], {}, /Input "request-timeout".*"forever"/s],
  ])('%j (%o): checked before anything is contacted', (argv, env, message) => {
    const run = () => prepare(argv, { ...JOB, ...env });
    if (message) expect(run).toThrow(message);
    else expect(run().services).toEqual(['web']);
  });
});
