/**
 * The CLI's story: in a step child (PREVIEW_FLEET_CLI_STEP), be that action; otherwise read the
 * command and settings, check them, and run the command. Errors leave through `runAction`, the one
 * error exit: printed once, redacted, exit code 1.
 */
import { runAction } from '@preview-fleet/core';
import { useGitLabForge } from '@preview-fleet/core/forge';
import { gitlabForge } from '@preview-fleet/core/forge/gitlab';
import { prepare } from './context.js';
import { deploy } from './deploy.js';
import { STEP_ENV, runStepInProcess } from './steps.js';
import { reap, teardown } from './teardown.js';
import { status } from './status.js';

/** `self` is this bundle's path: steps run as children of it. */
export async function cli(argv: readonly string[], self: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // The actions' GitLab paths (deploy-helm's MR re-check, the reaper) reach GitLab through this adapter.
  useGitLabForge(gitlabForge);
  const step = env[STEP_ENV];
  if (step) return runStepInProcess(step);
  await runAction(async () => {
    const c = prepare(argv, env);
    if (c.command === 'deploy') return deploy(c, self);
    if (c.command === 'teardown') return teardown(c, self);
    if (c.command === 'reap') return reap(c, self);
    return status(c);
  });
}
