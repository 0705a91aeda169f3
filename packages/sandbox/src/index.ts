/**
 * One entry point to the sandbox: starts the loopback stand-ins a test (or a person) asks for
 * and returns the environment a client needs to reach them — the public contract behind
 * `npm run sandbox -- env`. Parts: kube, github, vault (with its OIDC issuer), ecr, registry.
 */
import { startOidc, type OidcStandIn } from './oidc/index.js';
import { previewPolicy, startVault, type VaultStandIn } from './vault/index.js';
import { toolPaths } from './tools.js';

export const SANDBOX_PARTS = ['kube', 'github', 'vault', 'ecr', 'registry'] as const;
export type SandboxPart = (typeof SANDBOX_PARTS)[number];

export interface Sandbox {
  /** `NAME=value` settings for clients (KUBECONFIG, GITHUB_API_URL, VAULT_ADDR, …). */
  env: Record<string, string>;
  parts: SandboxPart[];
  oidc?: OidcStandIn;
  vault?: VaultStandIn;
  /** Stops every stand-in and child process, in reverse start order. */
  stop(): Promise<void>;
}

export interface SandboxOptions {
  only?: SandboxPart[];
  /** The repository the stand-ins act for (GITHUB_REPOSITORY, OIDC claims). */
  repository?: string;
}

/** Starts the requested parts (default all that this machine can run). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const parts = options.only ?? [...SANDBOX_PARTS];
  const repository = options.repository ?? 'acme/web';
  const env: Record<string, string> = { GITHUB_REPOSITORY: repository };
  const stops: Array<() => Promise<void>> = [];
  const sandbox: Sandbox = {
    env, parts,
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
  try {
    if (parts.includes('kube')) {
      const tools = toolPaths();
      Object.assign(env, { HELM3: tools.v31.helm, HELM4: tools.v34.helm, KUBECTL: tools.v34.kubectl });
    }
    if (parts.includes('vault')) {
      const oidc = await startOidc({ claims: { repository } });
      stops.push(() => oidc.stop());
      const vault = await startVault({ oidc });
      stops.push(() => vault.stop());
      // What a platform team configures once: a preview policy and a JWT role bound to the repo.
      vault.writePolicy('preview', previewPolicy());
      vault.addJwtRole('preview', { policies: ['preview'], boundAudiences: ['vault'], boundClaims: { repository } });
      Object.assign(env, {
        ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
      });
      sandbox.oidc = oidc;
      sandbox.vault = vault;
    }
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  return sandbox;
}
