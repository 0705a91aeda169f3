import { describe, expect, it } from 'vitest';
import { newMarks, verifyHtpasswd } from '../../src/index.js';
import { basicAuthSecretManifest, stableHtpasswd } from '../../src/kube/index.js';

describe('the basic-auth Secret (issue 16 part 2)', () => {
  it('htpasswd: verifies the password only; the same login gives the same line (a re-run rewrites nothing), another gives another', () => {
    const line = stableHtpasswd('web-pr-3-basic-auth', 'preview', 's3cret-password-1');
    expect(line).toMatch(/^preview:\$apr1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$/);
    expect(verifyHtpasswd(line, 'preview', 's3cret-password-1')).toBe(true);
    expect(verifyHtpasswd(line, 'preview', 's3cret-password-2')).toBe(false);
    expect(stableHtpasswd('web-pr-3-basic-auth', 'preview', 's3cret-password-1')).toBe(line);
    expect(stableHtpasswd('web-pr-3-basic-auth', 'preview', 's3cret-password-2')).not.toBe(line);
    expect(stableHtpasswd('web-pr-4-basic-auth', 'preview', 's3cret-password-1')).not.toBe(line);
  });

  it('is marked for the PR and names the Vault path, with auth, user and password keys', () => {
    const s = basicAuthSecretManifest({
      name: 'web-pr-3-basic-auth',
      namespace: 'preview-pr-3',
      user: 'preview',
      password: 'pw-123456789',
      marks: newMarks({ repository: 'acme/web', pr: 3, now: 0 }),
      vaultPath: 'secret/preview/web-3',
    }) as any;
    expect(s.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'preview-fleet',
      'preview-fleet.dev/repo': 'acme.web',
      'preview-fleet.dev/pr': '3',
    });
    expect(s.metadata.annotations['preview-fleet.dev/vault-path']).toBe('secret/preview/web-3');
    expect(Object.keys(s.data).sort()).toEqual(['auth', 'password', 'user']);
    expect(verifyHtpasswd(Buffer.from(s.data.auth, 'base64').toString(), 'preview', 'pw-123456789')).toBe(true);
  });
});
