/**
 * The GitLab job as the steps see it. The actions read a PR context (context.ts); the CLI gives
 * them the merge request, as GitLab just described it, in that same shape: GITHUB_REPOSITORY is
 * the project path (the repository every mark names), the run id the pipeline id, the attempt the
 * job id, and a `pull_request` event payload built from the MR. Nothing of GitHub is contacted:
 * every step's github-token is empty, and deploy-helm re-reads the MR through the GitLab forge.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PullRequestInfo } from '@preview-fleet/core';
import { NOTE_AUTHOR_ENV, type GitLabJob } from '@preview-fleet/core/forge';

/** A `pull_request` payload (the fields pullRequestFromPayload reads) for a merge request. */
export function pullRequestPayload(mr: PullRequestInfo, repository: string): Record<string, unknown> {
  return {
    action: 'synchronize',
    repository: { full_name: repository },
    pull_request: {
      number: mr.number,
      state: mr.state,
      merged: mr.merged,
      head: { sha: mr.headSha, ref: mr.headRef, repo: { full_name: mr.isFork ? `fork-of/${repository}` : repository } },
      base: { ref: mr.baseRef, repo: { full_name: repository } },
      user: { login: mr.author },
      labels: mr.labels.map((name) => ({ name })),
      updated_at: mr.updatedAt,
    },
  };
}

/** The environment every step runs with; `mr` (read from GitLab) becomes the event payload. */
export function stepEnvironment(
  job: GitLabJob,
  noteAuthor: string,
  mr?: PullRequestInfo,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    GITHUB_REPOSITORY: job.projectPath,
    GITHUB_SERVER_URL: job.serverUrl,
    GITHUB_API_URL: `${job.serverUrl}/api/v4`,
    GITHUB_RUN_ID: String(job.pipelineId),
    GITHUB_RUN_ATTEMPT: String(job.jobId),
    GITHUB_SHA: job.sha,
    GITHUB_EVENT_NAME: mr ? 'pull_request' : 'merge_request_event',
    [NOTE_AUTHOR_ENV]: noteAuthor,
  };
  delete env.GITHUB_EVENT_PATH;
  if (mr) {
    const dir = mkdtempSync(join(base.TMPDIR || tmpdir(), 'preview-fleet-mr-'));
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify(pullRequestPayload(mr, job.projectPath)));
    env.GITHUB_EVENT_PATH = path;
  }
  return env;
}
