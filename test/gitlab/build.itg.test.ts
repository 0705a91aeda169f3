/**
 * Issue 21, the image: the example `.gitlab-ci.yml`'s deploy job, run for real by gitlab-ci-local
 * (`runGitLabCiJob`), builds the MR's image with podman through the bundled CLI — no prebuilt
 * image — pushes it to the loopback registry, creates the MR's marked ECR repository (moto), and
 * deploys it; the stop job removes the ECR repository with the rest.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DescribeRepositoriesCommand, ECRClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromEcrTags, type OwnershipMarks } from '@preview-fleet/core';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { startGitLab, type GitLabStandIn } from '@preview-fleet/sandbox/gitlab';
import { prebuiltImage } from '@preview-fleet/sandbox/registry';
import { runGitLabCiJob, type MergeRequestPipeline } from '@preview-fleet/testkit/gitlab-ci-local';
import { CLI_BUNDLE, writeStageSecrets } from '@preview-fleet/testkit/gitlab-pipeline';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';

const PROJECT = 'acme/web';

let sandbox: Sandbox;
let gl: GitLabStandIn;
let projectId: number;
let token: string;
let work: string;

beforeAll(async () => {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: run "npm run build" first`);
  sandbox = await startSandbox({ only: ['kube', 'vault', 'ecr', 'registry'], repository: PROJECT });
  if (!sandbox.registry) throw new Error(`this test builds an image: ${sandbox.skipped.registry}`);
  gl = await startGitLab();
  projectId = gl.createProject(PROJECT).id as number;
  ({ token } = gl.createProjectAccessToken(projectId));
  await writeStageSecrets(sandbox.env.VAULT_ADDR!, sandbox.env.VAULT_TOKEN!);
  // The project's repository: the example pipeline and an app with its Dockerfile.
  work = mkdtempSync(join(tmpdir(), 'pf-gitlab-build-'));
  cpSync(join(repoRoot, 'workflows-examples/gitlab/.gitlab-ci.yml'), join(work, '.gitlab-ci.yml'));
  mkdirSync(join(work, 'app'));
  const base = await prebuiltImage({ registryHost: sandbox.registry.host, repository: 'base/static', tag: '1' });
  writeFileSync(join(work, 'app', 'index.html'), '<h1>built in a GitLab job</h1>\n');
  writeFileSync(join(work, 'app', 'Dockerfile'), `FROM ${base.image}\nCOPY index.html /srv/index.html\n`);
}, 180_000);

afterAll(async () => {
  await gl?.stop();
  await sandbox?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function job(name: 'preview:deploy' | 'preview:stop', mr: MergeRequestPipeline) {
  return runGitLabCiJob({
    dir: work,
    job: name,
    serverUrl: gl.url,
    projectId,
    projectPath: PROJECT,
    mergeRequest: mr,
    idToken: (aud) => gl.issueIdToken(projectId, { aud, mergeRequestIid: mr.iid }),
    env: { PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? ''}` },
    variables: {
      ...sandbox.env,
      PREVIEW_FLEET_GITLAB_TOKEN: token,
      PREVIEW_FLEET_CLI: CLI_BUNDLE,
      PREVIEW_FLEET_CHART: join(repoRoot, 'workflows-examples/charts/preview'),
      PREVIEW_FLEET_DOMAIN: sandbox.ingress!.domain,
      PREVIEW_FLEET_VAULT_ADDR: sandbox.env.VAULT_ADDR!,
      PREVIEW_FLEET_AUTH_METHOD: 'token',
      PREVIEW_FLEET_TOKEN: sandbox.env.VAULT_TOKEN!,
      PREVIEW_FLEET_AWS_REGION: sandbox.env.AWS_REGION!,
      PREVIEW_FLEET_BUILDER: 'podman',
      PREVIEW_FLEET_REGISTRY: sandbox.registry!.host,
      PREVIEW_FLEET_CONTEXT: 'app',
      PREVIEW_FLEET_TIMEOUT: '2m',
    },
    timeoutMs: 300_000,
  });
}

async function ecrRepository(name: string): Promise<OwnershipMarks | 'unmarked' | undefined> {
  const ecr = new ECRClient({
    region: sandbox.env.AWS_REGION,
    endpoint: sandbox.env.AWS_ENDPOINT_URL_ECR,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const repo = ((await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).find(
      (r) => r.repositoryName === name,
    );
    if (!repo) return undefined;
    const tags = (await ecr.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags ?? [];
    return fromEcrTags(tags) ?? 'unmarked';
  } finally {
    ecr.destroy();
  }
}

describe('GitLab: the deploy job builds the MR image', () => {
  it('builds with podman, pushes to the registry, marks the ECR repository, deploys it; the stop job removes the repository', async () => {
    const opened = gl.openMergeRequest(projectId, { labels: ['preview'] });
    const mr = {
      iid: opened.iid as number,
      sha: opened.sha as string,
      sourceBranch: `feature-${opened.iid}`,
      labels: ['preview'],
    };
    const repository = `app-preview-${mr.iid}`;

    const deploy = await job('preview:deploy', mr);
    try {
      expect(deploy.exitCode, deploy.log).toBe(0);
      expect(deploy.passed).toBe(true);
      // Built here, not given: the registry holds the repository's tags, the ECR repository carries our marks.
      const tags = await fetch(`http://${sandbox.registry!.host}/v2/${repository}/tags/list`);
      expect(tags.status).toBe(200);
      const list = ((await tags.json()) as { tags?: string[] }).tags ?? [];
      expect(list).toContain(`preview-${mr.sha}`);
      expect(list.some((t) => /^build-[0-9a-f]{40}$/.test(t))).toBe(true);
      const marks = await ecrRepository(repository);
      expect(marks).toMatchObject({ repository: PROJECT, pr: mr.iid });
      const notes = gl.notes(projectId, mr.iid).filter((n) => String(n.body).includes(`${repository}:build-`));
      expect(notes).toHaveLength(1);
      expect(notes[0]!.body).toContain('(rebuilt)');
      expect(deploy.dotenv.PREVIEW_URL).toBe(`https://app-pr-${mr.iid}.${sandbox.ingress!.domain}`);
    } finally {
      deploy.cleanup();
    }

    const stop = await job('preview:stop', mr);
    try {
      expect(stop.exitCode, stop.log).toBe(0);
      expect(await ecrRepository(repository)).toBeUndefined();
    } finally {
      stop.cleanup();
    }
  }, 600_000);
});
