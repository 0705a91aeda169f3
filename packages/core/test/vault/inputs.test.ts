import { describe, expect, it } from 'vitest';
import { GITHUB_TOKEN_DEFAULT, InputError, optional, parseGitHubToken, requireText } from '../../src/index.js';
import { parseVaultInputs, parseVaultRemovalInputs, VAULT_INPUT_DEFAULTS } from '../../src/vault/index.js';

const OIDC = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' };
const raw = (given: Partial<Record<string, string>>) => ({ ...VAULT_INPUT_DEFAULTS, ...given });

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no InputError');
}

describe('input helpers every action shares', () => {
  it('optional, requireText and the one github-token default', () => {
    expect([optional(''), optional('  '), optional(' a ')]).toEqual([undefined, undefined, 'a']);
    expect(requireText('label', ' preview ')).toBe('preview');
    expect(errorOf(() => requireText('label', '', 'the opt-in label')).message).toMatch(
      /Input "label" must not be empty: the opt-in label/,
    );
    expect([parseGitHubToken(GITHUB_TOKEN_DEFAULT), parseGitHubToken(''), parseGitHubToken(' ghs_x ')]).toEqual([
      '',
      '',
      'ghs_x',
    ]);
  });
});

describe('Vault inputs: one set of checks for seed-vault, deploy-helm, teardown and reap-orphans', () => {
  it('no vault-addr is "no Vault" unless a need is given, which the error names with how to switch it off', () => {
    expect(parseVaultInputs(raw({}), OIDC)).toBeUndefined();
    const e = errorOf(() =>
      parseVaultInputs(raw({}), OIDC, { while: 'kinds includes vault', off: 'leave vault out of kinds' }),
    );
    expect([e.input, e.message]).toEqual([
      'vault-addr',
      expect.stringMatching(/required while kinds includes vault.*Set vault-addr, or leave vault out of kinds/s),
    ]);
  });

  it('the address loses its trailing slash; the mount too; jwt needs a role and an OIDC token (same hint everywhere)', () => {
    expect(
      parseVaultInputs(raw({ 'vault-addr': 'https://vault.example.com:8200/', mount: 'kv/', role: 'preview' }), OIDC),
    ).toEqual({
      addr: 'https://vault.example.com:8200',
      method: 'jwt',
      role: 'preview',
      jwtAudience: 'vault',
      mount: 'kv',
      kvVersion: 2,
    });
    expect(errorOf(() => parseVaultInputs(raw({ 'vault-addr': 'http://v:8200' }), OIDC)).input).toBe('role');
    expect(errorOf(() => parseVaultInputs(raw({ 'vault-addr': 'http://v:8200', role: 'r' }), {})).message).toMatch(
      /id-token: write.*forks never get one/,
    );
    expect(
      errorOf(() =>
        parseVaultInputs(raw({ 'vault-addr': 'http://v:8200', 'auth-method': 'approle', 'role-id': 'x' }), {}),
      ).input,
    ).toBe('secret-id');
  });

  it('removal also needs an allowed-prefix that names a folder', () => {
    const need = { while: 'delete-vault-path is true', off: 'set delete-vault-path: false' };
    const base = raw({ 'vault-addr': 'http://v:8200', 'auth-method': 'token', token: 'hvs.x' });
    expect(parseVaultRemovalInputs({ ...base, 'allowed-prefix': 'preview/' }, {}, need).allowedPrefix).toBe('preview/');
    expect(errorOf(() => parseVaultRemovalInputs({ ...base, 'allowed-prefix': '/' }, {}, need)).input).toBe(
      'allowed-prefix',
    );
  });
});
