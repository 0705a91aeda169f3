/**
 * build-push: validate everything, make sure the PR's repository exists and is ours, hash the
 * build's inputs into the content tag, skip the build when that image is already there, otherwise
 * log in, build with the registry cache and push; then point the head-SHA tag at the same image.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadContext,
  log,
  newMarks,
  parseApproveSha,
  refuseForkHead,
  requirePrNumber,
  setOutputs,
  setStepTimeout,
  summaryTable,
  systemClock,
  writeSummary,
} from '@preview-fleet/core';
import {
  buildAndPush,
  cacheRepositoryFor,
  computeContentHash,
  createEcrSession,
  ecrCredentials,
  ensureRepository,
  imageStore,
  registryLogin,
  savedCredentials,
  type ContentHash,
  type EnsuredRepository,
} from '@preview-fleet/core/registry';
import { maskBuildSecrets, parseInputs, planBuild, readRawInputs, type BuildPlan, type Inputs } from './inputs.js';

interface Prepared {
  inputs: Inputs;
  plan: BuildPlan;
  repository: string;
  pr: number;
  headSha?: string;
}

/** Everything that can be checked without touching ECR or a registry (also the all-in-one's validate step). */
export function validate(): Prepared {
  const inputs = parseInputs(readRawInputs());
  maskBuildSecrets(inputs);
  const ctx = loadContext(inputs.prNumber);
  const pr = requirePrNumber(ctx);
  refuseForkHead(ctx, 'build and push an image');
  // A maintainer's approve-sha is the commit the workflow checked out (the all-in-one and deploy-helm
  // check it is the PR's head); otherwise workflow_dispatch has no PR head: the checkout is GITHUB_SHA.
  const approved = parseApproveSha(inputs.approveSha ?? '', ctx.eventName);
  const headSha = approved || ctx.pr?.headSha || ctx.sha || undefined;
  const plan = planBuild(
    inputs,
    { number: pr, headSha, headRef: ctx.pr?.headRef, baseRef: ctx.pr?.baseRef, author: ctx.pr?.author },
    ctx.repository,
    process.cwd(),
  );
  return { inputs, plan, repository: ctx.repository, pr, headSha };
}

export async function main(): Promise<void> {
  const { inputs, plan, repository, pr, headSha } = validate();
  // `timeout` bounds the whole step, the build included: a builder or registry that hangs fails the job naming it.
  setStepTimeout(inputs.timeoutMs);
  const requestTimeoutMs = inputs.requestTimeoutMs;
  let host = inputs.registry;
  let repo: EnsuredRepository | undefined;
  const ecr = inputs.ecr
    ? createEcrSession({ region: inputs.awsRegion, clock: systemClock, requestTimeoutMs })
    : undefined;
  try {
    if (ecr) {
      const marks = newMarks({
        repository,
        pr,
        service: inputs.service,
        headSha,
        now: systemClock.now(),
        ttlMs: inputs.ttlMs,
      });
      repo = await ensureRepository(ecr, {
        name: plan.repository,
        marks,
        keepImages: inputs.keepImages,
        adoptExisting: inputs.adoptExisting,
      });
      if (repo.created)
        log.info(`Created ECR repository ${repo.name} (scan on push, keeps the last ${inputs.keepImages} images)`);
      else if (repo.adopted)
        log.warning(
          `Using ECR repository ${repo.name}, which carries no preview-fleet marks for ${repository}#${pr} (adopt-existing); teardown will leave it in place`,
        );
      else log.info(`ECR repository ${repo.name} exists and belongs to ${repository}#${pr}`);
      host ??= repo.uri.slice(0, repo.uri.indexOf('/'));
    }
    const pushHost = host!;
    const repositoryUri = `${pushHost}/${plan.repository}`;

    // One ECR token for the manifest API on a non-ECR push host and the builder's login; with
    // ecr: false the builder's saved login (the workflow logged in beforehand), if any.
    const ecrToken = ecr ? await ecrCredentials(ecr) : undefined;
    const credentials = ecrToken ?? savedCredentials(inputs.builder, pushHost);
    const store = imageStore({
      ecr,
      ecrHost: repo?.uri.slice(0, repo.uri.indexOf('/')),
      pushHost,
      repository: plan.repository,
      credentials,
      requestTimeoutMs,
    });
    const content = plan.contentTag ? await hashBuildInputs(inputs, plan) : undefined;
    const tag = content ? plan.contentTag!(content.hash) : plan.tag;
    const alias = content && plan.tag !== tag ? plan.tag : undefined;
    const image = `${repositoryUri}:${tag}`;

    let result: { digest: string; built: boolean; cacheHit: boolean };
    const found = inputs.skipIfExists ? await store.find(tag) : undefined;
    if (found) {
      log.info(`${plan.repository}:${tag} already exists in ${store.where} (${found}): no build`);
      result = { digest: found, built: false, cacheHit: true };
    } else {
      if (ecr) {
        const login = await registryLogin(ecr, { builder: inputs.builder, host: pushHost, requestTimeoutMs }, ecrToken);
        log.info(`Logged in to ${login.host} as ${login.username}`);
      }
      result = { ...(await build(inputs, plan, image, pushHost)), built: true };
    }
    if (alias) {
      // The head-SHA tag names the same manifest: a registry-side tag, no pull, no rebuild.
      await store.tag(tag, alias);
      log.info(`Tagged ${plan.repository}:${alias} as the same image (${store.where}, no rebuild)`);
    }
    const aliasImage = alias ? `${repositoryUri}:${alias}` : image;
    setOutputs({
      image,
      digest: result.digest,
      'repository-uri': repositoryUri,
      built: result.built,
      'cache-hit': result.cacheHit,
      'image-source': result.built ? 'built' : 'reused',
      'alias-image': aliasImage,
      'content-hash': content?.hash ?? '',
    });
    await summary({ image, aliasImage, ...result, content, repo, keep: inputs.keepImages });
  } finally {
    ecr?.destroy();
  }
}

/** The content hash of this service's build inputs; says when git's tree could not describe the context. */
async function hashBuildInputs(inputs: Inputs, plan: BuildPlan): Promise<ContentHash> {
  const content = await computeContentHash({
    context: plan.context,
    file: plan.file,
    buildArgs: inputs.buildArgs,
    secretIds: [...inputs.secrets.keys()],
    target: inputs.target,
    platforms: inputs.platforms,
    builder: inputs.builder,
  });
  if (content.context.kind === 'git-tree')
    log.info(`Build inputs hash ${content.hash} (context: git tree ${content.context.hash} at HEAD)`);
  else
    log.info(
      `Build inputs hash ${content.hash} (context: its files hashed one by one, because ${content.context.reason})`,
    );
  return content;
}

async function build(
  inputs: Inputs,
  plan: BuildPlan,
  image: string,
  pushHost: string,
): Promise<{ digest: string; cacheHit: boolean }> {
  const temp = process.env.RUNNER_TEMP || tmpdir();
  mkdirSync(temp, { recursive: true });
  const workDir = mkdtempSync(join(temp, 'build-push-'));
  try {
    return await buildAndPush({
      builder: inputs.builder,
      context: plan.context,
      file: plan.file,
      image,
      cacheRepository: cacheRepositoryFor(inputs.cache, pushHost, plan.repository),
      buildArgs: inputs.buildArgs,
      secrets: inputs.secrets,
      target: inputs.target,
      platforms: inputs.platforms,
      workDir,
      clock: systemClock,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function summary(s: {
  image: string;
  aliasImage: string;
  digest: string;
  built: boolean;
  cacheHit: boolean;
  content?: ContentHash;
  repo?: EnsuredRepository;
  keep: number;
}): Promise<void> {
  const repoCell = s.repo
    ? `${s.repo.name} (${s.repo.created ? 'created' : s.repo.adopted ? 'adopted, unmarked' : 'existing'}, keeps ${s.keep})`
    : 'not managed (ecr: false)';
  const contextCell = !s.content
    ? 'not hashed (content-tag empty)'
    : s.content.context.kind === 'git-tree'
      ? `git tree ${s.content.context.hash.slice(0, 12)}`
      : `files hashed (${s.content.context.reason})`;
  await writeSummary(
    [
      '### Preview image',
      '',
      summaryTable(
        ['image', 'digest', 'built', 'cache hit', 'also tagged', 'context', 'repository'],
        [
          [
            `\`${s.image}\``,
            `\`${s.digest}\``,
            s.built,
            s.cacheHit,
            s.aliasImage === s.image ? '' : `\`${s.aliasImage.slice(s.aliasImage.lastIndexOf(':') + 1)}\``,
            contextCell,
            repoCell,
          ],
        ],
      ),
      '',
    ].join('\n'),
  );
}
