import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { SANDBOX_PARTS, startSandbox, type Sandbox } from '../../src/index.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ only: ['gitlab', 'vault'], repository: 'acme/web' });
});
afterAll(async () => sandbox.stop());

describe('startSandbox with the gitlab part', () => {
  it('is started only on request, and hands out the GitLab settings a job would have', async () => {
    expect(SANDBOX_PARTS).not.toContain('gitlab');
    const { env } = sandbox;
    expect(env).toMatchObject({ CI_SERVER_URL: sandbox.gitlab!.url, CI_PROJECT_PATH: 'acme/web' });
    const api = new Gitlab({ host: env.CI_SERVER_URL!, token: env.GITLAB_TOKEN! });
    expect(await api.Projects.show(env.CI_PROJECT_ID!)).toMatchObject({ path_with_namespace: 'acme/web' });
    expect((await api.Users.showCurrentUser()).bot).toBe(true);
  });

  it("makes Vault trust GitLab's ID tokens for the project (role preview, aud vault or VAULT_ADDR)", async () => {
    const gl = sandbox.gitlab!;
    const login = async (project: number, aud: string): Promise<number> =>
      (
        await fetch(`${sandbox.env.VAULT_ADDR}/v1/auth/jwt/login`, {
          method: 'POST',
          body: JSON.stringify({ role: 'preview', jwt: gl.issueIdToken(project, { aud }) }),
        })
      ).status;
    const web = Number(sandbox.env.CI_PROJECT_ID);
    expect(await login(web, 'vault')).toBe(200);
    expect(await login(web, sandbox.env.VAULT_ADDR!)).toBe(200);
    const other = gl.createProject('acme/other').id as number;
    expect(await login(other, 'vault')).toBe(400);
  });
});
