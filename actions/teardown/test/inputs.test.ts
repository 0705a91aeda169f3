import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, InputError, parseContext, requirePrNumber } from '@preview-fleet/core';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { DEFAULTS, INPUT_NAMES, parseInputs, planTeardown } from '../src/inputs.js';
import { BAD_INPUTS, VALID } from './bad-inputs.js';
import { expectDeclaredInputs } from '@preview-fleet/testkit/action-yml';

const ENV = { GITHUB_REPOSITORY: 'acme/web' };

/** What validate() does, with the environment and payload given instead of read. */
function prepare(inputs: Record<string, string>, dispatch = false) {
  const parsed = parseInputs(inputs, {});
  const ctx = dispatch
    ? parseContext({ ...ENV, GITHUB_EVENT_NAME: 'workflow_dispatch' }, { inputs: {} }, parsed['pr-number'])
    : parseContext(
        { ...ENV, GITHUB_EVENT_NAME: 'pull_request' },
        pullRequestEvent('closed', { number: 12, repository: 'acme/web' }),
        parsed['pr-number'],
      );
  const pr = requirePrNumber(ctx);
  return { parsed, pr, plan: planTeardown(parsed, { number: pr }, ctx.repository) };
}

describe('teardown inputs', () => {
  it("action.yml declares exactly these inputs with the same defaults, and the name templates are core's", () => {
    expectDeclaredInputs(join(import.meta.dirname, '..'), INPUT_NAMES, {
      ...DEFAULTS,
      'github-token': '${{ github.token }}',
    });
    expect(DEFAULTS).toMatchObject({
      namespace: DEFAULT_TEMPLATES.namespace,
      release: DEFAULT_TEMPLATES.release,
      'target-path': DEFAULT_TEMPLATES.vaultTarget,
      repository: DEFAULT_TEMPLATES.ecrRepository,
      environment: DEFAULT_TEMPLATES.environment,
    });
  });

  it('defaults plan every resource of PR 12 for each service', () => {
    const { plan, parsed } = prepare({ ...VALID, services: 'app, api' });
    expect(parsed.timeoutMs).toBe(300_000);
    expect(plan).toEqual({
      environments: ['preview/pr-12'],
      targets: [
        {
          service: 'app',
          namespace: 'preview-pr-12',
          release: 'app-pr-12',
          vaultPath: 'preview/app-12',
          ecrRepository: 'app-preview-12',
        },
        {
          service: 'api',
          namespace: 'preview-pr-12',
          release: 'api-pr-12',
          vaultPath: 'preview/api-12',
          ecrRepository: 'api-preview-12',
        },
      ],
    });
  });

  it('workflow_dispatch takes the PR from pr-number; switched-off steps need no Vault or region', () => {
    const { plan, pr } = prepare(
      { 'pr-number': '7', 'delete-vault-path': 'false', 'delete-ecr-repository': 'false' },
      true,
    );
    expect(pr).toBe(7);
    expect(plan.targets).toEqual([{ service: 'app', namespace: 'preview-pr-7', release: 'app-pr-7' }]);
  });

  it('aws-region falls back to AWS_REGION and is required only for ECR removal', () => {
    expect(parseInputs({ ...VALID, 'aws-region': '' }, { AWS_REGION: 'eu-west-1' }).awsRegion).toBe('eu-west-1');
    expect(() => parseInputs({ ...VALID, 'aws-region': '' }, {})).toThrow(
      /aws-region" is required while delete-ecr-repository is true/,
    );
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    let err: unknown;
    try {
      prepare(c.inputs, c.dispatch);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(c.input);
    expect((err as InputError).message).toMatch(c.message);
  });
});
