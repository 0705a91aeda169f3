/**
 * One entry point to the sandbox: starts the loopback stand-ins a test (or a person) asks for
 * and returns the environment a client needs to reach them — the public contract behind
 * `npm run sandbox -- env`. Parts: kube, github, vault (with its OIDC issuer), ecr, registry, and on
 * request gitlab (then Vault's JWT auth trusts GitLab's ID tokens instead of GitHub's).
 */
import { startOidc, type OidcStandIn } from './oidc/index.js';
import { previewPolicy, startVault, type VaultStandIn } from './vault/index.js';
import { startMoto, type MotoStandIn } from './ecr/index.js';
import { podmanEnv, startRegistry, systemToolsAvailable, type RegistryStandIn } from './registry/index.js';
import { startGitHub, type GitHubStandIn } from './github/index.js';
import { startGitLab, type GitLabStandIn } from './gitlab/index.js';
import { startIngress, type IngressStandIn } from './ingress/index.js';
import { startKube, type KubeStandIn } from './kube/index.js';
import { startVaultSecretsController, type VaultSecretsController } from './kube/controllers/vault-secrets.js';
import { toolPaths } from './tools.js';
export { startTarpit, type TarpitStandIn } from './tarpit/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The parts started when none are named (the GitHub story). */
export const SANDBOX_PARTS = ['kube', 'github', 'vault', 'ecr', 'registry'] as const;
/** Every part, including those started only on request (`gitlab`). */
export const ALL_SANDBOX_PARTS = [...SANDBOX_PARTS, 'gitlab'] as const;
export type SandboxPart = (typeof ALL_SANDBOX_PARTS)[number];

export interface Sandbox {
  /** `NAME=value` settings for clients (KUBECONFIG, GITHUB_API_URL, VAULT_ADDR, …). */
  env: Record<string, string>;
  parts: SandboxPart[];
  oidc?: OidcStandIn;
  vault?: VaultStandIn;
  github?: GitHubStandIn;
  /** The GitLab stand-in, with the project `repository` names and a Maintainer project access token (GITLAB_TOKEN). */
  gitlab?: GitLabStandIn;
  kube?: KubeStandIn;
  /** The cluster's ingress + wildcard DNS for the preview domain (part of `kube`). */
  ingress?: IngressStandIn;
  ecr?: MotoStandIn;
  registry?: RegistryStandIn;
  /** VaultStaticSecret / ExternalSecret reconciler (with kube and vault): `resync()` is a refresh interval passing. */
  secretOperators?: VaultSecretsController;
  /** Parts that were asked for but cannot run on this machine, with the reason. */
  skipped: Partial<Record<SandboxPart, string>>;
  /** Stops every stand-in and child process, in reverse start order. */
  stop(): Promise<void>;
}

export interface SandboxOptions {
  only?: SandboxPart[];
  /** The repository the stand-ins act for (GITHUB_REPOSITORY, OIDC claims). */
  repository?: string;
  /** Preview hosts live under it (default preview.sandbox.test). */
  domain?: string;
  /** Controller reaction time of the Kubernetes stand-in (default its own, ~1 s). */
  controllerDelayMs?: number;
}

/** Starts the requested parts (default all that this machine can run). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const parts = options.only ?? [...SANDBOX_PARTS];
  const repository = options.repository ?? 'acme/web';
  const env: Record<string, string> = { GITHUB_REPOSITORY: repository };
  const stops: Array<() => Promise<void>> = [];
  const sandbox: Sandbox = {
    env,
    parts,
    skipped: {},
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
  try {
    if (parts.includes('kube')) {
      const tools = toolPaths();
      const kube = await startKube({ controllerDelayMs: options.controllerDelayMs });
      stops.push(() => kube.stop());
      const ingress = await startIngress({ store: kube.store, domain: options.domain });
      stops.push(() => ingress.stop());
      Object.assign(
        env,
        { KUBECONFIG: kube.kubeconfigPath, HELM3: tools.v31.helm, HELM4: tools.v34.helm, KUBECTL: tools.v34.kubectl },
        ingress.env,
      );
      sandbox.kube = kube;
      sandbox.ingress = ingress;
    }
    if (parts.includes('github')) {
      const github = await startGitHub();
      stops.push(() => github.stop());
      Object.assign(env, {
        GITHUB_API_URL: github.url,
        GITHUB_TOKEN: github.token,
        GITHUB_SERVER_URL: 'https://github.com',
      });
      sandbox.github = github;
    }
    if (parts.includes('gitlab')) {
      const gitlab = await startGitLab();
      stops.push(() => gitlab.stop());
      const project = gitlab.createProject(repository);
      const { token } = gitlab.createProjectAccessToken(project.id as number, { name: 'preview-fleet' });
      Object.assign(env, {
        CI_SERVER_URL: gitlab.url,
        CI_API_V4_URL: `${gitlab.url}/api/v4`,
        CI_PROJECT_ID: String(project.id),
        CI_PROJECT_PATH: repository,
        GITLAB_TOKEN: token,
      });
      sandbox.gitlab = gitlab;
    }
    if (parts.includes('vault')) {
      const oidc = await startOidc({ claims: { repository } });
      stops.push(() => oidc.stop());
      // One JWT auth mount, as a team configures it: GitLab's issuer when the sandbox plays GitLab.
      const gitlab = sandbox.gitlab;
      const vault = await startVault({
        oidc: gitlab ? { issuer: gitlab.url, jwksUrl: gitlab.idTokens.jwksUrl } : oidc,
      });
      stops.push(() => vault.stop());
      // What a platform team configures once: a preview policy and a JWT role bound to the repo
      // (GitLab: bound to project_path, for `id_tokens:` with `aud: vault` or `aud: $VAULT_ADDR`).
      vault.writePolicy('preview', previewPolicy());
      vault.addJwtRole(
        'preview',
        gitlab
          ? { policies: ['preview'], boundAudiences: ['vault', vault.url], boundClaims: { project_path: repository } }
          : { policies: ['preview'], boundAudiences: ['vault'], boundClaims: { repository } },
      );
      Object.assign(env, {
        ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
      });
      sandbox.oidc = oidc;
      sandbox.vault = vault;
      if (sandbox.kube) {
        // The Vault Secrets / External Secrets operators a platform may run, played against this Vault.
        const operators = startVaultSecretsController(sandbox.kube.store, { url: vault.url, token: vault.rootToken });
        stops.push(async () => operators.stop());
        sandbox.secretOperators = operators;
      }
    }
    if (parts.includes('ecr')) {
      const ecr = await startMoto({ region: 'us-east-1' });
      stops.push(() => ecr.stop());
      Object.assign(env, ecr.env);
      sandbox.ecr = ecr;
    }
    if (parts.includes('registry')) {
      const tools = systemToolsAvailable();
      if (!tools.registry || !tools.podman) {
        sandbox.skipped.registry = tools.reason ?? 'podman or docker-registry missing';
      } else {
        const registry = await startRegistry();
        stops.push(() => registry.stop());
        // podman's config (insecure loopback registry, vfs storage, chroot isolation) lives here.
        const workDir = mkdtempSync(join(tmpdir(), 'pf-sandbox-podman-'));
        stops.push(async () => rmSync(workDir, { recursive: true, force: true }));
        Object.assign(env, { REGISTRY: registry.host }, podmanEnv({ registryHost: registry.host, workDir }));
        sandbox.registry = registry;
      }
    }
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  return sandbox;
}
