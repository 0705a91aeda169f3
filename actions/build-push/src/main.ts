/**
 * build-push: validate everything, make sure the PR's repository exists and is ours, skip when
 * this commit's image is already there, otherwise log in, build with the registry cache and push.
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
  createEcrSession,
  ecrCredentials,
  ensureRepository,
  findImage,
  findImageInRegistry,
  registryLogin,
  type EcrCredentials,
  type EcrSession,
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
    const image = `${pushHost}/${plan.repository}:${plan.tag}`;
    const repositoryUri = `${pushHost}/${plan.repository}`;

    // One ECR token for both the lookup on a non-ECR push host and the builder's login.
    const credentials = ecr ? await ecrCredentials(ecr) : undefined;
    if (inputs.skipIfExists) {
      const found = await existingImage({
        ecr,
        credentials,
        pushHost,
        ecrHost: repo?.uri.slice(0, repo.uri.indexOf('/')),
        repository: plan.repository,
        tag: plan.tag,
        requestTimeoutMs,
      });
      if (found) {
        log.info(`${plan.repository}:${plan.tag} already exists in ${found.where} (${found.digest}): no build`);
        setOutputs({ image, digest: found.digest, 'repository-uri': repositoryUri, built: false, 'cache-hit': true });
        await summary({ image, digest: found.digest, built: false, cacheHit: true, repo, keep: inputs.keepImages });
        return;
      }
    }

    if (ecr) {
      const login = await registryLogin(
        ecr,
        { builder: inputs.builder, host: pushHost, requestTimeoutMs },
        credentials,
      );
      log.info(`Logged in to ${login.host} as ${login.username}`);
    }
    const temp = process.env.RUNNER_TEMP || tmpdir();
    mkdirSync(temp, { recursive: true });
    const workDir = mkdtempSync(join(temp, 'build-push-'));
    try {
      const result = await buildAndPush({
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
      setOutputs({
        image,
        digest: result.digest,
        'repository-uri': repositoryUri,
        built: true,
        'cache-hit': result.cacheHit,
      });
      await summary({
        image,
        digest: result.digest,
        built: true,
        cacheHit: result.cacheHit,
        repo,
        keep: inputs.keepImages,
      });
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  } finally {
    ecr?.destroy();
  }
}

/**
 * The image for this tag if it is already where we push: ECR's DescribeImages when we push to
 * ECR, the registry's own manifest API when the push host is another registry (`registry`
 * override or `ecr: false`). "Cannot tell" means build, never skip.
 */
async function existingImage(o: {
  ecr?: EcrSession;
  credentials?: EcrCredentials;
  pushHost: string;
  ecrHost?: string;
  repository: string;
  tag: string;
  requestTimeoutMs: number;
}): Promise<{ digest: string; where: string } | undefined> {
  if (o.ecr && o.pushHost === o.ecrHost) {
    const found = await findImage(o.ecr, o.repository, o.tag);
    return found && { digest: found.digest, where: 'ECR' };
  }
  const lookup = await findImageInRegistry({
    host: o.pushHost,
    repository: o.repository,
    tag: o.tag,
    credentials: o.credentials,
    requestTimeoutMs: o.requestTimeoutMs,
  });
  if (lookup.found) return { digest: lookup.digest, where: o.pushHost };
  if (lookup.reason)
    log.info(`Could not tell whether ${o.repository}:${o.tag} exists on ${o.pushHost} (${lookup.reason}); building`);
  return undefined;
}

async function summary(s: {
  image: string;
  digest: string;
  built: boolean;
  cacheHit: boolean;
  repo?: EnsuredRepository;
  keep: number;
}): Promise<void> {
  const repoCell = s.repo
    ? `${s.repo.name} (${s.repo.created ? 'created' : s.repo.adopted ? 'adopted, unmarked' : 'existing'}, keeps ${s.keep})`
    : 'not managed (ecr: false)';
  await writeSummary(
    [
      '### Preview image',
      '',
      summaryTable(
        ['image', 'digest', 'built', 'cache hit', 'repository'],
        [[`\`${s.image}\``, `\`${s.digest}\``, s.built, s.cacheHit, repoCell]],
      ),
      '',
    ].join('\n'),
  );
}
