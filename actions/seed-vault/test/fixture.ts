/** Shared setup for seed-vault's runner-style tests: OIDC + Vault stand-ins with stage secrets and roles. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import nodeVault from 'node-vault';
import { startOidc, type OidcStandIn } from '@preview-fleet/sandbox/oidc';
import { previewPolicy, startVault, type VaultStandIn } from '@preview-fleet/sandbox/vault';

export const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPOSITORY = 'acme/web';

/** Stage values: the leak check searches for each of them (multi-line one included). */
export const STAGE = {
  DB_URL: 'postgres://stage-user:Sup3rS3cretPw@db.stage:5432/app',
  API_KEY: 'sk_live_4f7a9c2e1b8d6f3a',
  TLS_KEY: '-----BEGIN KEY-----\nMIIBstageLineOne9x8\nMIIBstageLineTwo7y6\n-----END KEY-----',
};
export const SECRET_VALUES = [STAGE.DB_URL, STAGE.API_KEY, 'MIIBstageLineOne9x8', 'MIIBstageLineTwo7y6'];

export interface World {
  oidc: OidcStandIn;
  vault: VaultStandIn;
  root: nodeVault.client;
  appRole: { roleId: string; secretId: string };
  jwtEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const oidc = await startOidc({ claims: { repository: REPOSITORY } });
  const vault = await startVault({ oidc });
  vault.mountKv('kv1', 1);
  vault.writePolicy('preview', previewPolicy());
  vault.writePolicy('preview-kv1', [
    { path: 'kv1/stage/*', capabilities: ['read'] },
    { path: 'kv1/preview/*', capabilities: ['create', 'read', 'update', 'delete', 'list'] },
  ]);
  vault.addJwtRole('preview', {
    policies: ['preview'],
    boundAudiences: ['vault'],
    boundClaims: { repository: REPOSITORY },
  });
  const appRole = vault.addAppRole('ci', { policies: ['preview'] });
  const root = nodeVault({ endpoint: vault.url, token: vault.rootToken, noCustomHTTPVerbs: true });
  await root.write('secret/data/stage/app', { data: STAGE });
  await root.write('kv1/stage/app', STAGE);
  return {
    oidc,
    vault,
    root,
    appRole,
    jwtEnv: { ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken },
    async stop() {
      await vault.stop();
      await oidc.stop();
    },
  };
}
