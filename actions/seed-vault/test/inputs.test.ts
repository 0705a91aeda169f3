import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, InputError } from '@preview-fleet/core';
import { DEFAULTS, INPUT_NAMES, parseInputs, planSeed, vaultUiUrl } from '../src/inputs.js';
import { BAD_INPUTS } from './bad-inputs.js';
import { expectDeclaredInputs } from '@preview-fleet/testkit/action-yml';

const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?x=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' };
const base = { 'vault-addr': 'https://vault.example.com:8200' };

function plan(inputs: Record<string, string>, env: Record<string, string> = OIDC_ENV) {
  return planSeed(parseInputs({ ...base, ...inputs }, env), { number: 12 }, 'acme/web');
}

describe('seed-vault inputs', () => {
  it("action.yml declares exactly these inputs with the same defaults, and the path templates are core's", () => {
    expectDeclaredInputs(join(import.meta.dirname, '..'), INPUT_NAMES, DEFAULTS);
    expect(DEFAULTS['source-path']).toBe(DEFAULT_TEMPLATES.vaultSource);
    expect(DEFAULTS['target-path']).toBe(DEFAULT_TEMPLATES.vaultTarget);
  });

  it('defaults plan stage/app → preview/app-12 with JWT', () => {
    const inputs = parseInputs({ ...base, role: 'preview' }, OIDC_ENV);
    expect(inputs).toMatchObject({
      'auth-method': 'jwt',
      'jwt-audience': 'vault',
      mount: 'secret',
      'kv-version': 2,
      ttl: 72 * 3600_000,
    });
    expect(planSeed(inputs, { number: 12 }, 'acme/web')).toEqual({
      sourcePath: 'stage/app',
      targetPath: 'preview/app-12',
      allowedPrefix: 'preview/',
    });
    expect(vaultUiUrl(inputs, 'preview/app-12')).toBe(
      'https://vault.example.com:8200/ui/vault/secrets/secret/kv/preview%2Fapp-12',
    );
  });

  it.each([
    [
      { 'auth-method': 'approle', 'role-id': 'r', 'secret-id': 's', service: 'api', 'allowed-prefix': 'preview' },
      'preview/api-12',
    ],
    [
      { 'auth-method': 'token', token: 't', 'target-path': 'preview/{{owner}}/{{repo}}/{{number}}' },
      'preview/acme/web/12',
    ],
  ])('plans %j → %s', (inputs, target) => {
    expect(plan(inputs).targetPath).toBe(target);
  });

  it('KV v1, namespace and ui-url shape the UI link', () => {
    const inputs = parseInputs(
      {
        ...base,
        'auth-method': 'token',
        token: 't',
        'kv-version': '1',
        'vault-namespace': 'team-a',
        'ui-url': 'https://ui.example.com/ui/',
      },
      {},
    );
    expect(vaultUiUrl(inputs, 'preview/app-12')).toBe(
      'https://ui.example.com/ui/vault/secrets/secret/show/preview/app-12?namespace=team-a',
    );
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    let err: unknown;
    try {
      plan(c.inputs, c.noOidc ? {} : OIDC_ENV);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(c.input);
    expect((err as InputError).message).toMatch(c.message);
  });
});
