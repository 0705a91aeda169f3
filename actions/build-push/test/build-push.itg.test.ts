import {
  CreateRepositoryCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ecr';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, fromEcrTags } from '@preview-fleet/core';
import { createEcrSession, lifecyclePolicy, removeEcrRepository } from '@preview-fleet/core/registry';
import { mirrorToMoto, startMoto, type MotoStandIn } from '@preview-fleet/sandbox/ecr';
import { podmanEnv, startRegistry, systemToolsAvailable, type RegistryStandIn } from '@preview-fleet/sandbox/registry';
import { toolPaths } from '@preview-fleet/testkit/tools';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { actionDir, makeWorkspace, MOTO_PASSWORD, MOTO_TOKEN, REPOSITORY, runBuildPush, sha } from './fixture.js';

const tools = systemToolsAvailable();
const available = tools.podman && tools.registry;
if (!available) console.warn(`[skipped] build-push podman runner tests: ${tools.reason}`);

let moto: MotoStandIn;
let registry: RegistryStandIn;
let client: ECRClient;
const ws = makeWorkspace();
const scratch = mkdtempSync(join(tmpdir(), 'pf-build-push-podman-'));

beforeAll(async () => {
  if (!available) return;
  [moto, registry] = await Promise.all([startMoto(), startRegistry()]);
  client = new ECRClient({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey },
  });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await Promise.all([moto?.stop(), registry?.stop()]);
  ws.remove();
  rmSync(scratch, { recursive: true, force: true });
});

/** moto for the ECR API + podman configured for the loopback registry; `storage` picks podman's local image store. */
const env = (storage = 'storage-main') => ({
  ...moto.env,
  ...podmanEnv({ registryHost: registry.host, workDir: join(scratch, storage) }),
});
const inputs = (extra: Record<string, string> = {}) => ({ builder: 'podman', registry: registry.host, ...extra });
/** The content tag the first run pushed (the workspace is no git checkout: its files are hashed). */
let contentTag = '';
const FIRST = { 'build-args': 'GREETING=hi there' };
const CONTENT = /^build-[0-9a-f]{40}$/;
const tagOf = (image: string | undefined): string => image!.slice(image!.lastIndexOf(':') + 1);
const calls = async (from: number) => (await moto.requestLog()).slice(from).map((c) => c.target);

async function registryDigest(repository: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}

const errorsOf = (r: ActionRun): string =>
  r.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');

function ok(r: ActionRun): ActionRun {
  expect(r.exitCode, r.log).toBe(0);
  expect(r.leaks).toEqual([]);
  return r;
}

describe.skipIf(!available)('build-push (bundled, runner-style): moto for ECR, real podman, loopback registry', () => {
  it("first run: creates the marked repository with its lifecycle policy, builds, pushes, reports the registry's digest", async () => {
    const before = (await moto.requestLog()).length;
    const r = ok(
      await runBuildPush({
        pr: 12,
        inputs: inputs({ 'build-args': 'GREETING=hi there', 'keep-images': '4' }),
        env: env(),
        cwd: ws.dir,
      }),
    );
    // The push host is the loopback registry, not ECR: the tag is looked up there (OCI API), not by DescribeImages.
    expect(await calls(before)).toEqual([
      'DescribeRepositories',
      'CreateRepository',
      'PutLifecyclePolicy',
      'GetAuthorizationToken',
    ]);
    contentTag = tagOf(r.outputs.image);
    expect(contentTag).toMatch(CONTENT);
    const image = `${registry.host}/app-preview-12:${contentTag}`;
    expect(r.outputs).toMatchObject({
      image,
      'alias-image': `${registry.host}/app-preview-12:preview-${sha('a')}`,
      'content-hash': contentTag.slice('build-'.length),
      'repository-uri': `${registry.host}/app-preview-12`,
      built: 'true',
      'image-source': 'built',
    });
    expect(r.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // One image, two tags: the content tag pushed by podman, the head-SHA alias added by a manifest PUT.
    expect(await registryDigest('app-preview-12', contentTag)).toBe(r.outputs.digest);
    expect(await registryDigest('app-preview-12', `preview-${sha('a')}`)).toBe(r.outputs.digest);
    expect(r.log).toMatch(/context: its files hashed one by one, because git could not describe the context/);

    const repo = (await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['app-preview-12'] })))
      .repositories![0]!;
    expect(repo.imageScanningConfiguration?.scanOnPush).toBe(true);
    const marks = fromEcrTags(
      (await client.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags,
    );
    expect(marks).toMatchObject({ repository: REPOSITORY, pr: 12, service: 'app', headSha: sha('a') });
    const policy = await client.send(new GetLifecyclePolicyCommand({ repositoryName: 'app-preview-12' }));
    expect(JSON.parse(policy.lifecyclePolicyText!)).toEqual(JSON.parse(lifecyclePolicy(4)));

    // The registry password was masked and reached podman on stdin: it is in podman's auth file, on no command line.
    expect(r.masked).toEqual(expect.arrayContaining([MOTO_PASSWORD, MOTO_TOKEN]));
    const auth = JSON.parse(readFileSync(join(scratch, 'storage-main', 'auth.json'), 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    expect(auth.auths[registry.host]?.auth).toBe(MOTO_TOKEN);
    expect(r.log).toContain('$ podman build --tag');
    // Build-arg values reach podman's argv but not the log.
    expect(r.log).toContain('--build-arg "GREETING=***"');
    expect(r.log).not.toContain('hi there');
    expect(r.log).toContain('::group::Build and push');
    expect(r.summary).toContain(`| \`${image}\` | \`${r.outputs.digest}\` | true |`);
    expect(r.summary).toContain('app-preview-12 (created, keeps 4)');
  });

  it('second run of the same commit: no login, no build — built=false, cache-hit=true, digest from the registry pushed to', async () => {
    const pushed = await registryDigest('app-preview-12', `preview-${sha('a')}`);
    const before = (await moto.requestLog()).length;
    // The first run's build args: other values would be another image (another content tag).
    const r = ok(
      await runBuildPush({ pr: 12, inputs: inputs({ ...FIRST, 'keep-images': '4' }), env: env(), cwd: ws.dir }),
    );
    expect(r.outputs).toMatchObject({
      built: 'false',
      'image-source': 'reused',
      'cache-hit': 'true',
      digest: pushed,
      image: `${registry.host}/app-preview-12:${contentTag}`,
    });
    // TagResource: every run renews the repository's expires-at (one expiry per PR across kinds).
    expect(await calls(before)).toEqual([
      'DescribeRepositories',
      'ListTagsForResource',
      'TagResource',
      'PutLifecyclePolicy',
      'GetAuthorizationToken',
    ]);
    expect(r.log).not.toContain('podman build');
    expect(r.log).not.toContain('podman login');
    expect(r.log).toContain(`already exists in ${registry.host}`);
  });

  it('a new commit with the same build inputs: no build, the new head-SHA tag is added to the same image', async () => {
    const r = ok(await runBuildPush({ pr: 12, headSha: sha('c'), inputs: inputs(FIRST), env: env(), cwd: ws.dir }));
    expect(r.outputs).toMatchObject({ built: 'false', 'image-source': 'reused' });
    expect(tagOf(r.outputs.image)).toBe(contentTag);
    expect(r.log).not.toContain('podman build');
    expect(await registryDigest('app-preview-12', `preview-${sha('c')}`)).toBe(
      await registryDigest('app-preview-12', contentTag),
    );
    // Another build arg is another image: the tag changes and the build runs.
    const other = ok(
      await runBuildPush({
        pr: 12,
        headSha: sha('c'),
        inputs: inputs({ 'build-args': 'GREETING=other' }),
        env: env(),
        cwd: ws.dir,
      }),
    );
    expect(other.outputs.built).toBe('true');
    expect(tagOf(other.outputs.image)).not.toBe(contentTag);
    expect(await registryDigest('app-preview-12', `preview-${sha('c')}`)).toBe(other.outputs.digest);
  });

  it('pushing to ECR itself: the tag is looked up with DescribeImages (the image mirrored into moto, as ECR would hold it)', async () => {
    const motoDigest = await mirrorToMoto(moto, {
      registryHost: registry.host,
      repository: 'app-preview-12',
      tag: contentTag,
    });
    const before = (await moto.requestLog()).length;
    // No registry override: the push host is the repository URI's host, i.e. ECR (moto).
    const r = ok(
      await runBuildPush({
        pr: 12,
        inputs: inputs({ ...FIRST, 'keep-images': '4', registry: '' }),
        env: env(),
        cwd: ws.dir,
      }),
    );
    expect(r.outputs).toMatchObject({ built: 'false', 'cache-hit': 'true', digest: motoDigest });
    expect(tagOf(r.outputs.image)).toBe(contentTag);
    // The alias: BatchGetImage reads the manifest, PutImage stores it under the head-SHA tag.
    expect(await calls(before)).toEqual([
      'DescribeRepositories',
      'ListTagsForResource',
      'TagResource',
      'PutLifecyclePolicy',
      'GetAuthorizationToken',
      'DescribeImages',
      'BatchGetImage',
      'PutImage',
    ]);
    expect(r.log).toContain('already exists in ECR');
    const details = await client.send(new DescribeImagesCommand({ repositoryName: 'app-preview-12' }));
    expect(details.imageDetails).toHaveLength(1);
    expect(details.imageDetails![0]!.imageTags!.sort()).toEqual([contentTag, `preview-${sha('a')}`].sort());
  });

  it('workflow_dispatch with pr-number: the tag comes from GITHUB_SHA, and that commit is skipped too', async () => {
    const r = ok(
      await runActionProcess(actionDir, {
        inputs: inputs({ ...FIRST, 'pr-number': '12' }),
        event: { inputs: { 'pr-number': '12' } },
        eventName: 'workflow_dispatch',
        repository: REPOSITORY,
        env: { ...env(), GITHUB_SHA: sha('a') },
        cwd: ws.dir,
        secrets: [MOTO_PASSWORD, MOTO_TOKEN],
      }),
    );
    expect(r.outputs).toMatchObject({
      built: 'false',
      image: `${registry.host}/app-preview-12:${contentTag}`,
      'alias-image': `${registry.host}/app-preview-12:preview-${sha('a')}`,
    });
  });

  it('skip-if-exists false: built again from empty local storage, reusing layers from the registry cache', async () => {
    // Same build args as the first run, so the cache keys match.
    const r = ok(
      await runBuildPush({
        pr: 12,
        headSha: sha('b'),
        inputs: inputs({ 'build-args': 'GREETING=hi there', 'skip-if-exists': 'false' }),
        env: env('storage-fresh'),
        cwd: ws.dir,
      }),
    );
    expect(r.log).toContain('Using cache');
    expect(r.outputs).toMatchObject({ built: 'true', 'cache-hit': 'true' });
    expect(tagOf(r.outputs.image)).toBe(contentTag);
    expect(await registryDigest('app-preview-12', `preview-${sha('b')}`)).toBe(r.outputs.digest);
  });

  it("secrets: a BuildKit secret reaches RUN --mount=type=secret through podman's environment — masked, in no argv and no log line", async () => {
    // FROM scratch has no shell: the static kubectl compares the mounted secret with the context's
    // expected.txt (bind-mounted, never in a layer) and prints only whether they match.
    const value = `npm-token-${Date.now().toString(36)}-s3cr3t`;
    const dir = join(ws.dir, 'secret-build');
    mkdirSync(dir, { recursive: true });
    copyFileSync(toolPaths().v31.kubectl, join(dir, 'kubectl'));
    writeFileSync(join(dir, 'expected.txt'), value);
    writeFileSync(
      join(dir, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY kubectl /kubectl',
        'RUN --mount=type=secret,id=api_token,required=true --mount=type=bind,source=expected.txt,target=/expected ["/kubectl", "create", "secret", "generic", "check", ' +
          '"--from-file=token=/run/secrets/api_token", "--from-file=expected=/expected", "--dry-run=client", "-o", ' +
          '"go-template={{if eq (index .data \\"token\\") (index .data \\"expected\\")}}build secret matches{{else}}build secret DIFFERS{{end}}\\n"]',
        '',
      ].join('\n'),
    );
    const r = ok(
      await runBuildPush({
        pr: 60,
        inputs: inputs({
          context: 'secret-build',
          cache: 'none',
          secrets: `api_token=${value}`,
          'build-args': 'GREETING=hi there',
        }),
        env: env('storage-secret'),
        cwd: ws.dir,
      }),
    );
    expect(r.outputs.built).toBe('true');
    expect(r.log).toContain('build secret matches');
    expect(r.log).toMatch(
      /\$ podman build .*--build-arg "GREETING=\*\*\*" --secret id=api_token,env=PREVIEW_FLEET_BUILD_SECRET_0 /,
    );
    expect(r.masked).toContain(value);
    expect(r.log).not.toContain(value);
    expect(r.leaks).toEqual([]);
    // Without the secret the required mount fails the build: the value really came from the secrets input.
    // (Fresh storage: podman's local layer cache does not key on secrets, so the same storage would reuse the RUN layer.)
    const without = await runBuildPush({
      pr: 61,
      inputs: inputs({ context: 'secret-build', cache: 'none' }),
      env: env('storage-secret-none'),
      cwd: ws.dir,
    });
    expect(without.exitCode).toBe(1);
    expect(errorsOf(without)).toMatch(/secret required but no secret with id api_token found/);
  });

  it("a failing build fails the step with the builder's last lines, and pushes nothing", async () => {
    const r = await runBuildPush({
      pr: 13,
      inputs: inputs({ file: 'broken.Dockerfile', cache: 'none' }),
      env: env(),
      cwd: ws.dir,
    });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^Build of ".*app-preview-13:build-[0-9a-f]{40}" with podman failed:\n/);
    expect(errors[0]!.message).toContain('missing.txt');
    expect(await registryDigest('app-preview-13', `preview-${sha('a')}`)).toBeNull();
    expect(r.leaks).toEqual([]);
  });

  it('refuses a repository that exists without our marks (nothing logged in, built or pushed) unless adopt-existing', async () => {
    await client.send(
      new CreateRepositoryCommand({ repositoryName: 'app-preview-40', tags: [{ Key: 'team', Value: 'payments' }] }),
    );
    const before = (await moto.requestLog()).length;
    const r = await runBuildPush({ pr: 40, inputs: inputs(), env: env(), cwd: ws.dir });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /ECR repository "app-preview-40" already exists and carries no preview-fleet marks.*\nHint: .*adopt-existing: true/s,
    );
    expect(await calls(before)).toEqual(['DescribeRepositories', 'ListTagsForResource']);
    expect(await registryDigest('app-preview-40', `preview-${sha('a')}`)).toBeNull();

    const adopted = ok(
      await runBuildPush({ pr: 40, inputs: inputs({ 'adopt-existing': 'true' }), env: env(), cwd: ws.dir }),
    );
    expect(adopted.outputs.built).toBe('true');
    expect(adopted.annotations.find((a) => a.level === 'warning')?.message).toMatch(
      /carries no preview-fleet marks.*teardown will leave it/,
    );
    const repo = (await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['app-preview-40'] })))
      .repositories![0]!;
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags).toEqual([
      { Key: 'team', Value: 'payments' },
    ]);
  });

  it('ecr: false pushes to any registry (logged in beforehand) with no ECR call and no repository management', async () => {
    const e = env('storage-plain');
    writeFileSync(e.REGISTRY_AUTH_FILE, JSON.stringify({ auths: {} })); // what a prior docker/login-action step leaves
    const before = (await moto.requestLog()).length;
    const r = ok(
      await runBuildPush({
        pr: 50,
        inputs: inputs({ ecr: 'false', repository: 'acme/web-pr-{{number}}', cache: 'none' }),
        env: e,
        cwd: ws.dir,
      }),
    );
    expect(r.outputs).toMatchObject({
      built: 'true',
      'alias-image': `${registry.host}/acme/web-pr-50:preview-${sha('a')}`,
      'repository-uri': `${registry.host}/acme/web-pr-50`,
    });
    expect(tagOf(r.outputs.image)).toMatch(CONTENT);
    expect(await registryDigest('acme/web-pr-50', `preview-${sha('a')}`)).toBe(r.outputs.digest);
    expect(await calls(before)).toEqual([]);
    expect(r.summary).toContain('not managed (ecr: false)');
    // skip-if-exists works for any OCI registry: the second run finds the tag through the registry API.
    const again = ok(
      await runBuildPush({
        pr: 50,
        inputs: inputs({ ecr: 'false', repository: 'acme/web-pr-{{number}}', cache: 'none' }),
        env: e,
        cwd: ws.dir,
      }),
    );
    expect(again.outputs).toMatchObject({ built: 'false', digest: r.outputs.digest });
    expect(again.log).not.toContain('podman build');
  });

  it("content-tag '' keeps tagging by the head SHA alone: one tag, no alias, no content hash", async () => {
    const r = ok(
      await runBuildPush({ pr: 70, inputs: inputs({ 'content-tag': '', cache: 'none' }), env: env(), cwd: ws.dir }),
    );
    const image = `${registry.host}/app-preview-70:preview-${sha('a')}`;
    expect(r.outputs).toMatchObject({ image, 'alias-image': image, 'content-hash': '', 'image-source': 'built' });
    const tags = (await (await fetch(`http://${registry.host}/v2/app-preview-70/tags/list`)).json()) as {
      tags: string[];
    };
    expect(tags.tags).toEqual([`preview-${sha('a')}`]);
    expect(r.log).not.toContain('Build inputs hash');
  });

  it('removal (core, as teardown calls it) deletes only the repository marked for this PR', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, moto.env);
    const ecr = createEcrSession({ clock: new FakeClock() });
    try {
      expect(
        (await removeEcrRepository(ecr, { name: 'app-preview-12', owner: { repository: REPOSITORY, pr: 13 } })).status,
      ).toBe('skipped-unmarked');
      expect(
        (await removeEcrRepository(ecr, { name: 'app-preview-12', owner: { repository: 'acme/other', pr: 12 } }))
          .status,
      ).toBe('skipped-unmarked');
      expect(
        (await removeEcrRepository(ecr, { name: 'app-preview-40', owner: { repository: REPOSITORY, pr: 40 } })).status,
      ).toBe('skipped-unmarked');
      expect(
        (await removeEcrRepository(ecr, { name: 'app-preview-12', owner: { repository: REPOSITORY, pr: 12 } })).status,
      ).toBe('deleted');
      expect(
        (await removeEcrRepository(ecr, { name: 'app-preview-12', owner: { repository: REPOSITORY, pr: 12 } })).status,
      ).toBe('already-gone');
      const names = (await client.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName);
      expect(names).toContain('app-preview-40');
      expect(names).not.toContain('app-preview-12');
    } finally {
      ecr.destroy();
      process.env = saved;
    }
  });
});
