/**
 * Runs jobs of the example `.gitlab-ci.yml` for real with gitlab-ci-local (shell executor) in a
 * throwaway git checkout, with the GitLab job variables a merge request pipeline would carry.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { node24Path, repoRoot } from '@preview-fleet/testkit/tools';

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
