import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, InputError } from '@preview-fleet/core';
import { DEFAULTS, INPUT_NAMES, environmentFor, parseInputs } from '../src/inputs.js';
import { BAD_INPUTS } from './bad-inputs.js';
import { expectDeclaredInputs } from '@preview-fleet/testkit/action-yml';

const token = { 'github-token': 'ghs_test' };

/** parseInputs plus the environment planner, as prepare() runs them for PR #12. */
function check(inputs: Record<string, string>) {
  const parsed = parseInputs({ ...token, ...inputs });
  return { parsed, environment: environmentFor(parsed.environment, { number: 12 }, 'acme/web', parsed.service) };
}

describe('comment-status inputs', () => {
  it('action.yml declares exactly these inputs with the same defaults', () => {
    const yml = expectDeclaredInputs(join(import.meta.dirname, '..'), INPUT_NAMES, DEFAULTS);
    expect(DEFAULTS.environment).toBe(DEFAULT_TEMPLATES.environment);
    expect(Object.keys(yml.outputs).sort()).toEqual(['comment-id', 'comment-url', 'deployment-id']);
  });

  it('defaults: service app, deployment on, fail-on-error off, environment preview/pr-12', () => {
    const { parsed, environment } = check({ state: 'deploying' });
    expect(parsed).toMatchObject({
      state: 'deploying',
      service: 'app',
      deployment: true,
      'fail-on-error': false,
      url: undefined,
      'log-url': undefined,
    });
    expect(environment).toBe('preview/pr-12');
  });

  it('ready with a URL, links normalised; ready without URL is fine when deployment is off', () => {
    expect(
      check({
        state: 'ready',
        url: 'https://app-pr-12.preview.example.com',
        'vault-url': 'https://vault.example.com/ui',
      }).parsed,
    ).toMatchObject({ url: 'https://app-pr-12.preview.example.com/', 'vault-url': 'https://vault.example.com/ui' });
    expect(check({ state: 'ready', deployment: 'false' }).parsed.url).toBeUndefined();
  });

  it('every state is accepted, and the environment template may use other variables', () => {
    for (const state of ['queued', 'building', 'deploying', 'failed', 'tearing-down', 'destroyed', 'skipped'])
      expect(check({ state }).parsed.state).toBe(state);
    expect(check({ state: 'queued', service: 'api', environment: 'preview/{{service}}-{{number}}' }).environment).toBe(
      'preview/api-12',
    );
  });

  it("comment-author: github-actions[bot] by default; an App's bot login or a user login is accepted", () => {
    expect(check({ state: 'queued' }).parsed['comment-author']).toBe('github-actions[bot]');
    expect(check({ state: 'queued', 'comment-author': ' my-app[bot] ' }).parsed['comment-author']).toBe('my-app[bot]');
    expect(check({ state: 'queued', 'comment-author': 'octo-cat' }).parsed['comment-author']).toBe('octo-cat');
    expect(check({ state: 'queued', environment: 'review/{{ number }}' }).environment).toBe('review/12');
  });

  // "pr-number missing on workflow_dispatch" depends on the event: the bundle test covers it.
  it.each(BAD_INPUTS.filter((c) => !c.dispatch || c.inputs['pr-number']).map((c) => [c.name, c] as const))(
    'refuses %s',
    (_name, c) => {
      let err: unknown;
      try {
        check(c.inputs);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).input).toBe(c.input);
      expect((err as InputError).message).toMatch(c.message);
    },
  );
});
