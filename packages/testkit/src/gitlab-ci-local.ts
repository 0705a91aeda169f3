/**
 * Runs one job of a .gitlab-ci.yml for real with gitlab-ci-local (npm) and its shell executor, in a
 * temporary git copy of a directory, as a GitLab merge-request pipeline would run it.
 *
 * What gitlab-ci-local 4.x lacks, and how this helper fills it in (all passed as `--variable`,
 * which outranks its own predefined values; the overridden names go to `--ignore-predefined-vars`):
 * - Merge-request pipelines: it always says CI_PIPELINE_SOURCE=push and sets no CI_MERGE_REQUEST_*;
 *   we pass GitLab's MR variables (docs: "Predefined variables for merge request pipelines") and
 *   unset CI_COMMIT_BRANCH, which GitLab does not set in MR pipelines.
 * - CI_JOB_TOKEN and `id_tokens:` are not supported at all: the job token is passed as a variable,
 *   and each `id_tokens:` entry of the job (own, `extends:` chain or `default:`; not from `include:`)
 *   becomes a variable holding the JWT that `idToken(aud, name)` returns (the GitLab stand-in signs it).
 * - CI_PROJECT_ID is hard-coded (1217), CI_SERVER_URL / CI_PROJECT_PATH come from `git remote`,
 *   GITLAB_CI is "false": we set the project's id, path, server URL and GITLAB_CI=true.
 * - It needs Node ≥ 22 (Set.prototype.union): it runs under the repository's Node 24, and so does the
 *   job's `node` unless `jobNode` names another (e.g. a runner image's Node 20).
 * - It calls `rsync` even for the shell executor and CI's machine has none: `rsync-subset.mjs`
 *   (beside this file) goes first on PATH.
 * - `image:` would need docker: `--force-shell-executor` runs every job on this machine.
 * - A job named on its command line runs even when its `rules:` leave it out of the pipeline, which
 *   GitLab would never do: the helper asks `--list-json` first (rules evaluated with our variables)
 *   and does not run a job whose `when` is "never" (`result.when`).
 * - Artifacts: with the shell executor the job runs in the copy itself, so `reports: dotenv:` files
 *   are read where the job wrote them.
 * - It reads git (branch, SHA, remote, user): the copy gets its own repository on the MR's source
 *   branch with an `origin` at the stand-in and a local user.name/email, so no global git config is needed.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { node24Path, repoRoot } from './tools.js';
import type { JobEnvironment } from '@preview-fleet/sandbox/gitlab';
import { expandVariables, jobEnvironment, jobIdTokens, jobReportsDotenv } from './gitlab-ci-yaml.js';

/** The merge request a pipeline runs for. */
export interface MergeRequestPipeline {
  iid: number;
  /** The MR's head SHA (CI_COMMIT_SHA). */
  sha: string;
  sourceBranch: string;
  targetBranch?: string;
  labels?: string[];
  title?: string;
  /** GitLab's global MR id (CI_MERGE_REQUEST_ID); default iid + 1000. */
  id?: number;
}

export interface GitLabCiJobOptions {
  /** Directory holding the pipeline file and whatever the job needs; copied (without .git, node_modules). */
  dir: string;
  /** The job to run. */
  job: string;
  /** Pipeline file relative to `dir` (default .gitlab-ci.yml). */
  file?: string;
  /** CI_SERVER_URL, e.g. the GitLab stand-in's URL. */
  serverUrl: string;
  projectId: number;
  /** CI_PROJECT_PATH, e.g. "acme/web". */
  projectPath: string;
  defaultBranch?: string;
  /** Makes it a merge_request_event pipeline for this MR. */
  mergeRequest?: MergeRequestPipeline;
  /** CI_PIPELINE_SOURCE; default merge_request_event with `mergeRequest`, else push. */
  pipelineSource?: string;
  /** For pipelines without an MR: the commit (default: the copy's own) and branch (default the default branch). */
  sha?: string;
  ref?: string;
  /** CI_JOB_TOKEN. */
  jobToken?: string;
  /** Who runs the pipeline (GITLAB_USER_*): default developer. */
  user?: { login: string; id?: number; name?: string; email?: string };
  /** Signs the JWT for each `id_tokens:` entry: `aud` as written (variables expanded), the variable's name. */
  idToken?: (aud: string | string[], name: string) => string;
  /** More CI/CD variables (project or group variables). */
  variables?: Record<string, string>;
  /** Environment of the gitlab-ci-local process and so of the job; PATH is prefixed, not replaced. */
  env?: Record<string, string>;
  /** The `node` binary first on the job's PATH (default the repository's Node 24, which runs gitlab-ci-local). */
  jobNode?: string;
  /** Kill gitlab-ci-local after this long (default 5 min). */
  timeoutMs?: number;
}

export interface GitLabCiJobResult {
  /** The job's `when` after its rules: "never" means GitLab would not create it, and it was not run. */
  when: string;
  /** gitlab-ci-local's exit code: 0 when the job passed (or was allowed to fail), and when not run. */
  exitCode: number;
  /** True when gitlab-ci-local reported the job as PASS. */
  passed: boolean;
  /** gitlab-ci-local's stdout and stderr, interleaved as they came. */
  log: string;
  /** The job's own output (gitlab-ci-local's output/<job>.log), when written. */
  jobLog: string;
  /** Variables from the job's `artifacts: reports: dotenv:` files. */
  dotenv: Record<string, string>;
  /**
   * The job's `environment:` expanded (url also with dotenv variables, as GitLab allows), for
   * `gl.applyJobEnvironment` after a passing job: gitlab-ci-local creates no GitLab environment.
   */
  environment?: JobEnvironment;
  /** The temporary copy the job ran in (removed by `cleanup`). */
  workDir: string;
  /** The CI/CD variables passed (secrets included: for assertions, do not print). */
  variables: Record<string, string>;
  cleanup(): void;
}

const gitlabCiLocal = join(repoRoot, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
const rsyncSubset = join(dirname(fileURLToPath(import.meta.url)), 'rsync-subset.mjs');

function git(cwd: string, args: string[]): Promise<void> {
  return run('git', args, cwd, { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd }, 60_000).then((r) => {
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.out}`);
  });
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; out: string; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? (signal === null ? 1 : 128 + 9), out, stdout });
    });
  });
}

/** GitLab's predefined variables for this pipeline (what gitlab-ci-local does not derive itself). */
export function pipelineVariables(o: GitLabCiJobOptions): Record<string, string> {
  const user = { id: 1, name: o.user?.login ?? 'developer', login: 'developer', ...o.user };
  const projectUrl = `${o.serverUrl}/${o.projectPath}`;
  const server = new URL(o.serverUrl);
  const v: Record<string, string> = {
    GITLAB_CI: 'true',
    CI_SERVER_URL: o.serverUrl,
    CI_SERVER_HOST: server.hostname,
    CI_SERVER_PORT: server.port || (server.protocol === 'https:' ? '443' : '80'),
    CI_SERVER_PROTOCOL: server.protocol.replace(':', ''),
    CI_API_V4_URL: `${o.serverUrl}/api/v4`,
    CI_PROJECT_ID: String(o.projectId),
    CI_PROJECT_PATH: o.projectPath,
    CI_PROJECT_URL: projectUrl,
    CI_DEFAULT_BRANCH: o.defaultBranch ?? 'main',
    CI_PIPELINE_SOURCE: o.pipelineSource ?? (o.mergeRequest === undefined ? 'push' : 'merge_request_event'),
    GITLAB_USER_ID: String(user.id),
    GITLAB_USER_LOGIN: user.login,
    GITLAB_USER_NAME: user.name ?? user.login,
    GITLAB_USER_EMAIL: user.email ?? `${user.login}@example.com`,
  };
  if (o.jobToken !== undefined) v.CI_JOB_TOKEN = o.jobToken;
  const mr = o.mergeRequest;
  if (mr !== undefined) {
    Object.assign(v, {
      CI_COMMIT_SHA: mr.sha,
      CI_COMMIT_SHORT_SHA: mr.sha.slice(0, 8),
      CI_MERGE_REQUEST_ID: String(mr.id ?? mr.iid + 1000),
      CI_MERGE_REQUEST_IID: String(mr.iid),
      CI_MERGE_REQUEST_PROJECT_ID: String(o.projectId),
      CI_MERGE_REQUEST_PROJECT_PATH: o.projectPath,
      CI_MERGE_REQUEST_PROJECT_URL: projectUrl,
      CI_MERGE_REQUEST_REF_PATH: `refs/merge-requests/${mr.iid}/head`,
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: mr.sourceBranch,
      CI_MERGE_REQUEST_SOURCE_PROJECT_ID: String(o.projectId),
      CI_MERGE_REQUEST_SOURCE_PROJECT_PATH: o.projectPath,
      CI_MERGE_REQUEST_SOURCE_PROJECT_URL: projectUrl,
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: mr.targetBranch ?? o.defaultBranch ?? 'main',
      CI_MERGE_REQUEST_TITLE: mr.title ?? `Change ${mr.iid}`,
      CI_MERGE_REQUEST_LABELS: (mr.labels ?? []).join(','),
      CI_MERGE_REQUEST_EVENT_TYPE: 'detached',
    });
  } else if (o.sha !== undefined) {
    Object.assign(v, { CI_COMMIT_SHA: o.sha, CI_COMMIT_SHORT_SHA: o.sha.slice(0, 8) });
  }
  return { ...v, ...o.variables };
}

/** Runs `o.job` with gitlab-ci-local in a fresh temporary git copy of `o.dir`; see the module comment. */
export async function runGitLabCiJob(o: GitLabCiJobOptions): Promise<GitLabCiJobResult> {
  const file = o.file ?? '.gitlab-ci.yml';
  const workDir = mkdtempSync(join(tmpdir(), 'gcl-'));
  const home = mkdtempSync(join(tmpdir(), 'gcl-home-'));
  const cleanup = (): void => {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
  try {
    cpSync(o.dir, workDir, {
      recursive: true,
      filter: (src) => !['node_modules', '.git', '.gitlab-ci-local'].includes(basename(src)),
    });
    const branch = o.mergeRequest?.sourceBranch ?? o.ref ?? o.defaultBranch ?? 'main';
    const login = o.user?.login ?? 'developer';
    await git(workDir, ['init', '-q', '-b', branch]);
    await git(workDir, ['config', 'user.name', o.user?.name ?? login]);
    await git(workDir, ['config', 'user.email', o.user?.email ?? `${login}@example.com`]);
    await git(workDir, ['config', 'commit.gpgsign', 'false']);
    await git(workDir, ['remote', 'add', 'origin', `${o.serverUrl}/${o.projectPath}.git`]);
    await git(workDir, ['add', '-A']);
    await git(workDir, ['commit', '-q', '--allow-empty', '-m', 'pipeline']);
    await git(workDir, ['update-ref', `refs/remotes/origin/${o.defaultBranch ?? 'main'}`, 'HEAD']);
    await git(workDir, [
      'symbolic-ref',
      'refs/remotes/origin/HEAD',
      `refs/remotes/origin/${o.defaultBranch ?? 'main'}`,
    ]);

    const variables = pipelineVariables(o);
    const doc = parse(readFileSync(join(workDir, file), 'utf8')) as Record<string, unknown>;
    for (const [name, aud] of Object.entries(jobIdTokens(doc, o.job))) {
      if (o.idToken === undefined)
        throw new Error(`job "${o.job}" asks for id_tokens (${name}) but no idToken signer was given`);
      variables[name] = o.idToken(expandVariables(aud, variables), name);
    }
    const bin = mkdtempSync(join(home, 'bin-'));
    writeFileSync(join(bin, 'rsync'), `#!/bin/sh\nexec "${node24Path()}" "${rsyncSubset}" "$@"\n`, { mode: 0o755 });
    const path = [bin, dirname(node24Path()), o.env?.PATH ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'];
    // The job's PATH as a CI/CD variable: it outranks the process's, which must keep Node 24 first.
    if (o.jobNode !== undefined) variables.PATH = [dirname(o.jobNode), ...path].join(':');
    const common = [
      '--file',
      file,
      '--force-shell-executor',
      '--color=false',
      '--ignore-predefined-vars',
      Object.keys(variables).join(','),
      ...(o.mergeRequest === undefined ? [] : ['--unset-variable', 'CI_COMMIT_BRANCH']),
      ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`]),
    ];
    const env: Record<string, string> = {
      HOME: home,
      LANG: 'C.UTF-8',
      FORCE_COLOR: '0',
      ...o.env,
      PATH: path.join(':'),
    };
    const timeoutMs = o.timeoutMs ?? 300_000;
    const listed = await run(
      node24Path(),
      [gitlabCiLocal, '--list-json', '--json-schema-validation=false', ...common],
      workDir,
      env,
      timeoutMs,
    );
    const jobs = listed.code === 0 ? (JSON.parse(listed.stdout) as Array<{ name: string; when: string }>) : [];
    const when = jobs.find((j) => j.name === o.job)?.when;
    if (when === undefined)
      throw new Error(`gitlab-ci-local does not list job "${o.job}" (${listed.code}): ${listed.out}`);
    if (when === 'never')
      return { when, exitCode: 0, passed: false, log: listed.out, jobLog: '', dotenv: {}, workDir, variables, cleanup };
    const r = await run(node24Path(), [gitlabCiLocal, o.job, '--manual', o.job, ...common], workDir, env, timeoutMs);
    const jobLogPath = join(workDir, '.gitlab-ci-local', 'output', `${o.job}.log`);
    const dotenv: Record<string, string> = {};
    for (const report of jobReportsDotenv(doc, o.job)) {
      const path = join(workDir, expandVariables(report, variables));
      if (existsSync(path)) Object.assign(dotenv, parseDotenv(readFileSync(path, 'utf8')));
    }
    const declared = jobEnvironment(doc, o.job);
    const withDotenv = { ...variables, ...dotenv };
    const environment: JobEnvironment | undefined =
      declared === undefined
        ? undefined
        : {
            name: expandVariables(declared.name, variables),
            ...(declared.url === undefined ? {} : { url: expandVariables(declared.url, withDotenv) }),
            ...(declared.action === undefined ? {} : { action: declared.action as JobEnvironment['action'] }),
            ...(declared.autoStopIn === undefined
              ? {}
              : { autoStopIn: expandVariables(declared.autoStopIn, variables) }),
          };
    return {
      when,
      environment,
      exitCode: r.code,
      passed: new RegExp(`PASS\\s+${o.job.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(r.out),
      log: r.out,
      jobLog: existsSync(jobLogPath) ? readFileSync(jobLogPath, 'utf8') : '',
      dotenv,
      workDir,
      variables,
      cleanup,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** KEY=VALUE lines as GitLab's dotenv report reads them (no export, no multi-line values; quotes stripped). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m === null) continue;
    out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}
