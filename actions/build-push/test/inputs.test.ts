import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, InputError } from '@preview-fleet/core';
import { DEFAULTS, INPUT_NAMES, parseInputs, planBuild } from '../src/inputs.js';
import { BAD_INPUTS } from './bad-inputs.js';
import { makeWorkspace, sha } from './fixture.js';
import { expectDeclaredInputs } from '@preview-fleet/testkit/action-yml';

const ws = makeWorkspace();
afterAll(() => ws.remove());
const ENV = { AWS_REGION: 'us-east-1' };
const pr = { number: 12, headSha: sha('a'), headRef: 'feature/Login' };

function plan(inputs: Record<string, string>, env: Record<string, string> = ENV) {
  return planBuild(parseInputs(inputs, env), pr, 'acme/web', ws.dir);
}

describe('build-push inputs', () => {
  it("action.yml declares exactly these inputs with the same defaults; the name templates are core's", () => {
    const yml = expectDeclaredInputs(join(import.meta.dirname, '..'), INPUT_NAMES, DEFAULTS);
    expect(DEFAULTS.repository).toBe(DEFAULT_TEMPLATES.ecrRepository);
    expect(DEFAULTS.tag).toBe(DEFAULT_TEMPLATES.imageTag);
    expect(Object.keys(yml.outputs).sort()).toEqual([
      'alias-image',
      'built',
      'cache-hit',
      'content-hash',
      'digest',
      'image',
      'image-source',
      'repository-uri',
    ]);
  });

  it('defaults: app-preview-12 : preview-<head sha>, ./Dockerfile, docker, registry cache, keep 6, region from AWS_REGION', () => {
    const inputs = parseInputs({}, ENV);
    expect(inputs).toMatchObject({
      awsRegion: 'us-east-1',
      builder: 'docker',
      cache: 'registry',
      keepImages: 6,
      skipIfExists: true,
      ecr: true,
      adoptExisting: false,
      platforms: [],
      registry: undefined,
      target: undefined,
      timeoutMs: 30 * 60_000,
      requestTimeoutMs: 30_000,
    });
    const planned = planBuild(inputs, pr, 'acme/web', ws.dir);
    expect(planned).toEqual({
      repository: 'app-preview-12',
      tag: `preview-${sha('a')}`,
      contentTag: expect.any(Function),
      context: ws.dir,
      file: join(ws.dir, 'Dockerfile'),
    });
    expect(planned.contentTag!('f'.repeat(40))).toBe(`build-${'f'.repeat(40)}`);
  });

  it('content-tag: other template variables render around {{content_hash}}; empty turns content addressing off', () => {
    const planned = plan({ 'content-tag': '{{service}}-{{content_hash}}' });
    expect(planned.contentTag!('0123')).toBe('app-0123');
    expect(plan({ 'content-tag': '' }).contentTag).toBeUndefined();
  });

  it('templates, lowercasing for ECR, build args kept verbatim, one podman platform, aws-region input over AWS_REGION', () => {
    const inputs = parseInputs(
      {
        repository: '{{owner}}/{{repo}}/{{branch_slug}}-{{number}}',
        tag: 'pr{{number}}-{{head_short_sha_7}}',
        service: 'API',
        'build-args': 'GREETING=hello world = yes\nEMPTY=',
        builder: 'podman',
        platforms: 'linux/arm64/v8',
        'aws-region': 'eu-central-1',
        registry: '127.0.0.1:5000',
        file: 'broken.Dockerfile',
        target: 'runtime',
      },
      ENV,
    );
    expect(inputs.awsRegion).toBe('eu-central-1');
    expect([...inputs.buildArgs]).toEqual([
      ['GREETING', 'hello world = yes'],
      ['EMPTY', ''],
    ]);
    expect(inputs.secrets).toEqual(new Map());
    expect(
      parseInputs(
        { secrets: '# comment\nnpm_token=abc=def\npip.conf= spaced value \n', 'aws-region': 'eu-central-1' },
        ENV,
      ).secrets,
    ).toEqual(
      new Map([
        ['npm_token', 'abc=def'],
        ['pip.conf', ' spaced value '],
      ]),
    );
    expect(planBuild(inputs, pr, 'acme/web', ws.dir)).toEqual({
      repository: 'acme/web/feature-login-12',
      tag: 'pr12-aaaaaaa',
      contentTag: expect.any(Function),
      context: ws.dir,
      file: join(ws.dir, 'broken.Dockerfile'),
    });
  });

  it('ecr false: no region needed, the registry is the push host', () => {
    const inputs = parseInputs({ ecr: 'false', registry: 'ghcr.io' }, {});
    expect(inputs).toMatchObject({ ecr: false, registry: 'ghcr.io', awsRegion: undefined });
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    let err: unknown;
    try {
      plan(c.inputs, c.noRegion ? {} : ENV);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(c.input);
    expect((err as InputError).message).toMatch(c.message);
  });
});
