import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDotenv, pipelineVariables } from '../src/gitlab-ci-local.js';
import { expandVariables, jobIdTokens, jobReportsDotenv, resolveJob } from '../src/gitlab-ci-yaml.js';
import { node24Path, repoRoot } from '../src/tools.js';

const doc = parse(`
default:
  id_tokens:
    DEFAULT_TOKEN: { aud: default-aud }
.base:
  id_tokens:
    VAULT_ID_TOKEN: { aud: [$CI_SERVER_URL, vault] }
  artifacts: { reports: { dotenv: deploy.env } }
deploy:
  extends: .base
  script: [true]
stop:
  script: [true]
`) as Record<string, unknown>;

describe('reading a job from .gitlab-ci.yml as GitLab merges it', () => {
  it('merges the extends chain into the job, takes default: only for unset keywords, and expands $VARS', () => {
    // A job's own (or inherited) id_tokens replace default's whole, as GitLab applies `default:`.
    expect(jobIdTokens(doc, 'deploy')).toEqual({ VAULT_ID_TOKEN: ['$CI_SERVER_URL', 'vault'] });
    expect(jobIdTokens(doc, 'stop')).toEqual({ DEFAULT_TOKEN: 'default-aud' });
    expect(jobReportsDotenv(doc, 'deploy')).toEqual(['deploy.env']);
    expect(jobReportsDotenv(doc, 'stop')).toEqual([]);
    expect(expandVariables(['$CI_SERVER_URL', '${X}/y', '$NOPE'], { CI_SERVER_URL: 'http://gl', X: 'x' })).toEqual([
      'http://gl',
      'x/y',
      '',
    ]);
    expect(() => resolveJob(doc, 'missing')).toThrow('no job "missing"');
    expect(() => resolveJob({ a: { extends: 'b' }, b: { extends: 'a' } }, 'a')).toThrow('extends loop: a → b → a');
  });

  it('parses dotenv reports and forms the MR pipeline variables GitLab documents', () => {
    expect(parseDotenv('A=1\n# c\nB = "two words"\nbad line\nC=\n')).toEqual({ A: '1', B: 'two words', C: '' });
    const v = pipelineVariables({
      dir: '.',
      job: 'deploy',
      serverUrl: 'http://127.0.0.1:4000',
      projectId: 7,
      projectPath: 'acme/web',
      mergeRequest: { iid: 3, sha: 'abcdef0123456789', sourceBranch: 'feat', labels: ['preview', 'x'] },
      jobToken: 'glcbt-x',
    });
    expect(v).toMatchObject({
      GITLAB_CI: 'true',
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_API_V4_URL: 'http://127.0.0.1:4000/api/v4',
      CI_SERVER_PORT: '4000',
      CI_PROJECT_ID: '7',
      CI_COMMIT_SHA: 'abcdef0123456789',
      CI_COMMIT_SHORT_SHA: 'abcdef01',
      CI_MERGE_REQUEST_IID: '3',
      CI_MERGE_REQUEST_REF_PATH: 'refs/merge-requests/3/head',
      CI_MERGE_REQUEST_LABELS: 'preview,x',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_JOB_TOKEN: 'glcbt-x',
    });
    expect(v).not.toHaveProperty('CI_COMMIT_BRANCH');
  });
});

describe('rsync-subset.mjs (the rsync calls gitlab-ci-local makes)', () => {
  const rsync = (cwd: string, ...args: string[]): void => {
    const r = spawnSync(node24Path(), [join(repoRoot, 'packages/testkit/src/rsync-subset.mjs'), ...args], { cwd });
    expect(r.status, r.stderr.toString()).toBe(0);
  };

  it('copies a tree with excludes and exclude-from, relative paths, and a files-from list', () => {
    const d = mkdtempSync(join(tmpdir(), 'rsync-subset-'));
    try {
      mkdirSync(join(d, 'src/a/b'), { recursive: true });
      mkdirSync(join(d, 'src/.gitlab-ci-local/x'), { recursive: true });
      for (const f of ['a/b/c.txt', 'untracked.txt', 'deploy.env', '.gitlab-ci-local/x/y'])
        writeFileSync(join(d, 'src', f), f);
      writeFileSync(join(d, 'exclude'), 'untracked.txt\n');
      writeFileSync(join(d, 'list'), './a/b/c.txt\n./deploy.env\n');
      const src = join(d, 'src');
      rsync(
        src,
        '-a',
        '--delete',
        `--exclude-from=${join(d, 'exclude')}`,
        '--exclude',
        '.gitlab-ci-local/',
        './',
        '../t1/',
      );
      expect(readFileSync(join(d, 't1/a/b/c.txt'), 'utf8')).toBe('a/b/c.txt');
      expect(existsSync(join(d, 't1/untracked.txt'))).toBe(false);
      expect(existsSync(join(d, 't1/.gitlab-ci-local'))).toBe(false);
      rsync(src, '-Ra', './deploy.env', '../t2/dotenv/.');
      expect(readFileSync(join(d, 't2/dotenv/deploy.env'), 'utf8')).toBe('deploy.env');
      rsync(src, '--exclude', '.gitlab-ci-local/**', '-rRa', `--files-from=${join(d, 'list')}`, '.', '../t3/.');
      expect(readFileSync(join(d, 't3/a/b/c.txt'), 'utf8')).toBe('a/b/c.txt');
      expect(existsSync(join(d, 't3/untracked.txt'))).toBe(false);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
