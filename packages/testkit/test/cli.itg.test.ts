import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/tools.js';
import { systemToolsAvailable } from '@preview-fleet/sandbox/registry';

/** Starts `npm run sandbox -- env …` as a person would and reads its export lines up to `ready`. */
async function startCli(args: string[]): Promise<{ env: Record<string, string>; stop(): Promise<number> }> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repoRoot, 'packages/testkit/src/cli.ts'), ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^ready$/m.test(out)) resolve();
    });
    void exited.then((code) => reject(new Error(`sandbox exited ${code} before ready:\n${out}\n${err}`)));
  });
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  return {
    env,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('npm run sandbox -- env', () => {
  it('prints export lines then ready, serves them, and stops cleanly on SIGTERM', async () => {
    const cli = await startCli(['env', '--only', 'vault,kube']);
    expect(Object.keys(cli.env)).toEqual(
      expect.arrayContaining([
        'KUBECTL',
        'HELM3',
        'HELM4',
        'VAULT_ADDR',
        'VAULT_TOKEN',
        'ACTIONS_ID_TOKEN_REQUEST_URL',
        'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
        'GITHUB_REPOSITORY',
      ]),
    );
    expect(Object.keys(cli.env)).toEqual(
      expect.arrayContaining(['KUBECONFIG', 'HTTPS_PROXY', 'NODE_EXTRA_CA_CERTS', 'PREVIEW_DOMAIN']),
    );
    const kubectl = spawnSync(cli.env.KUBECTL!, ['get', 'namespaces', '-o', 'name'], {
      env: { ...process.env, KUBECONFIG: cli.env.KUBECONFIG, HOME: mkdtempSync(join(tmpdir(), 'pf-home-')) },
      encoding: 'utf8',
    });
    expect(kubectl.stderr).toBe('');
    expect(kubectl.status).toBe(0);
    const health = await fetch(`${cli.env.VAULT_ADDR}/v1/sys/health`);
    expect(health.status).toBe(200);
    expect(await cli.stop()).toBe(0);
    await expect(fetch(`${cli.env.VAULT_ADDR}/v1/sys/health`)).rejects.toThrow();
  });

  it('starts moto and the registry, and SIGTERM stops both child processes', async () => {
    const cli = await startCli(['env', '--only', 'ecr,registry']);
    expect(cli.env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    const ecr = await fetch(cli.env.AWS_ENDPOINT_URL_ECR!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      },
      body: '{}',
    });
    expect(ecr.status).toBe(200);
    if (cli.env.REGISTRY) {
      expect((await fetch(`http://${cli.env.REGISTRY}/v2/`)).status).toBe(200);
      expect(cli.env.CONTAINERS_REGISTRIES_CONF).toMatch(/registries\.conf$/);
    } else {
      // Only on a machine without podman/docker-registry; CI installs them (.ci/install-system.sh).
      expect(systemToolsAvailable().reason).toMatch(/not installed/);
    }
    expect(await cli.stop()).toBe(0);
    await expect(fetch(cli.env.AWS_ENDPOINT_URL_ECR!, { method: 'POST' })).rejects.toThrow();
    if (cli.env.REGISTRY) await expect(fetch(`http://${cli.env.REGISTRY}/v2/`)).rejects.toThrow();
  });

  it('serves GitHub with the printed token (and 401 without it)', async () => {
    const cli = await startCli(['env', '--only', 'github']);
    expect(Object.keys(cli.env)).toEqual(
      expect.arrayContaining(['GITHUB_API_URL', 'GITHUB_TOKEN', 'GITHUB_REPOSITORY']),
    );
    const repo = `${cli.env.GITHUB_API_URL}/repos/${cli.env.GITHUB_REPOSITORY}`;
    expect((await fetch(repo, { headers: { authorization: `token ${cli.env.GITHUB_TOKEN}` } })).status).toBe(200);
    expect((await fetch(repo)).status).toBe(401);
    expect(await cli.stop()).toBe(0);
  });

  it('rejects an unknown part by name', async () => {
    await expect(startCli(['env', '--only', 'vault,mainframe'])).rejects.toThrow(
      '--only takes a comma-separated list of kube, github, vault, ecr, registry; got "vault,mainframe"',
    );
  });
});
