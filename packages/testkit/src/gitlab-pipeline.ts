/**
 * Runs jobs of the example `.gitlab-ci.yml` for real with gitlab-ci-local (shell executor) in a
 * throwaway git checkout, with the GitLab job variables a merge request pipeline would carry.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { node24Path, repoRoot, toolPaths } from './tools.js';

export const CLI_BUNDLE = join(repoRoot, 'packages/cli/dist/preview-fleet.mjs');
const GCL = join(repoRoot, 'node_modules/gitlab-ci-local/dist/index.js');

export interface JobRun {
  exitCode: number;
  log: string;
  /** The job's build directory (its dotenv report is there). */
  dir: string;
}

export interface Checkout {
  dir: string;
  run(job: string, variables: Record<string, string>, o?: { manual?: boolean; node?: string }): Promise<JobRun>;
  remove(): void;
}

/** A git checkout holding the example pipeline. */
export function checkout(): Checkout {
  const dir = mkdtempSync(join(tmpdir(), 'pf-gitlab-'));
  cpSync(join(repoRoot, 'workflows-examples/gitlab/.gitlab-ci.yml'), join(dir, '.gitlab-ci.yml'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/acme/web.git');
  git('add', '.');
  git('-c', 'user.email=dev@example.com', '-c', 'user.name=dev', 'commit', '-q', '-m', 'pipeline');
  return {
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
    run(job, variables, o = {}) {
      const node = o.node ?? node24Path();
      const args = [GCL, '--force-shell-executor', '--no-color', '--max-job-name-padding', '0'];
      // The job's `node` is the one this run asks for (first on the job's PATH).
      const vars = { ...variables, PATH: `${dirname(node)}:${variables.PATH ?? process.env.PATH ?? ''}` };
      for (const [k, v] of Object.entries(vars)) args.push('--variable', `${k}=${v}`);
      if (o.manual) args.push('--manual', job);
      args.push(job);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        GCL_IGNORE_PREDEFINED_VARS: Object.keys(vars).join(','),
      };
      return new Promise((resolve, reject) => {
        const child = spawn(node24Path(), args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => out.push(c));
        child.on('error', reject);
        child.on('close', (code) => resolve({ exitCode: code ?? 1, log: Buffer.concat(out).toString('utf8'), dir }));
      });
    },
  };
}

/** What a job's variables are made of: the sandbox's client settings, the GitLab stand-in's project and token. */
export interface PipelineWorld {
  sandboxEnv: Record<string, string>;
  gitlabUrl: string;
  projectId: number;
  projectPath: string;
  /** A project access token (PREVIEW_FLEET_GITLAB_TOKEN). */
  token: string;
  /** The preview domain (the ingress stand-in's). */
  domain: string;
  /** A prebuilt image to deploy (no builder needed). */
  image: string;
  home: string;
}

let ids = 100;

/**
 * The variables of a merge request pipeline's job (`mr`) or of the scheduled reaper's (no `mr`):
 * GitLab's predefined CI_* variables, and the CI/CD variables the example asks a project to set.
 */
export function jobVariables(
  w: PipelineWorld,
  mr: { iid: number; sha: string; labels: string[] } | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  const id = ++ids;
  return {
    ...w.sandboxEnv,
    PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? ''}`,
    GITLAB_CI: 'true',
    CI_SERVER_URL: w.gitlabUrl,
    CI_PROJECT_ID: String(w.projectId),
    CI_PROJECT_PATH: w.projectPath,
    CI_PIPELINE_SOURCE: mr ? 'merge_request_event' : 'schedule',
    CI_PIPELINE_ID: String(id),
    CI_JOB_ID: String(id),
    CI_JOB_URL: `${w.gitlabUrl}/${w.projectPath}/-/jobs/${id}`,
    ...(mr
      ? { CI_MERGE_REQUEST_IID: String(mr.iid), CI_MERGE_REQUEST_LABELS: mr.labels.join(','), CI_COMMIT_SHA: mr.sha }
      : { PREVIEW_FLEET_REAP: 'true' }),
    PREVIEW_FLEET_GITLAB_TOKEN: w.token,
    PREVIEW_FLEET_CLI: CLI_BUNDLE,
    PREVIEW_FLEET_CHART: join(repoRoot, 'workflows-examples/charts/preview'),
    PREVIEW_FLEET_DOMAIN: w.domain,
    PREVIEW_FLEET_VAULT_ADDR: w.sandboxEnv.VAULT_ADDR ?? '',
    PREVIEW_FLEET_AUTH_METHOD: 'token',
    PREVIEW_FLEET_TOKEN: w.sandboxEnv.VAULT_TOKEN ?? '',
    PREVIEW_FLEET_IMAGE: w.image,
    PREVIEW_FLEET_AWS_REGION: w.sandboxEnv.AWS_REGION ?? '',
    PREVIEW_FLEET_TIMEOUT: '2m',
    HOME: w.home,
    ...extra,
  };
}

/** The stage secrets a platform team keeps (seed-vault copies `stage/app` per MR). */
export async function writeStageSecrets(vaultAddr: string, vaultToken: string): Promise<void> {
  const res = await fetch(`${vaultAddr}/v1/secret/data/stage/app`, {
    method: 'POST',
    headers: { 'x-vault-token': vaultToken, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { DATABASE_URL: 'postgres://stage-db/app' } }),
  });
  if (!res.ok) throw new Error(`writing stage secrets: Vault answered ${res.status}`);
}
