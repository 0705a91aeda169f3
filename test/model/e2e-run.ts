/**
 * One run of the bundled all-in-one action (root dist/index.js under Node 24, `npm run build`
 * first) for the end-to-end model test: the model's own templates (names.ts — every name carries
 * `{{repo}}`, since two repositories share the cluster, Vault and ECR), a prebuilt image (no build
 * step), helm 3 or 4, and optionally stopped midway as the runner stops a job.
 */
import { dirname, join } from 'node:path';
import type { Sandbox } from '@preview-fleet/sandbox';
import { runActionProcess, type ActionRun, type RunActionOptions } from '@preview-fleet/testkit/run-action-process';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { TEMPLATES } from './names.js';

/** Deployed as is: build-push only looks it up, so no run builds anything. */
export const PREBUILT_IMAGE = 'registry.sandbox.test/app:prebuilt';

export interface AllInOneRun {
  sandbox: Sandbox;
  /** HOME for helm's cache and config. */
  home: string;
  repo: string;
  runId: number;
  eventName: string;
  event: unknown;
  helm: 3 | 4;
  stop?: RunActionOptions['stop'];
  /** Inputs over the model's (e.g. a template without `{{repo}}`). */
  inputs?: Record<string, string>;
}

/** The inputs every model run uses: names from the model's templates, a short `stuck-after`. */
export function modelInputs(sandbox: Sandbox): Record<string, string> {
  return {
    services: 'app',
    chart: join(repoRoot, 'workflows-examples/charts/preview'),
    domain: sandbox.ingress!.domain,
    'vault-addr': sandbox.env.VAULT_ADDR!,
    'auth-method': 'token',
    token: sandbox.env.VAULT_TOKEN!,
    'github-token': sandbox.github!.token,
    'aws-region': sandbox.env.AWS_REGION!,
    image: PREBUILT_IMAGE,
    namespace: TEMPLATES.namespace,
    release: TEMPLATES.release,
    host: TEMPLATES.host,
    'target-path': TEMPLATES.vaultTarget,
    repository: TEMPLATES.ecrRepository,
    environment: TEMPLATES.environment,
    timeout: '2m',
    'stuck-after': '1s',
  };
}

/** Runs the all-in-one action once, as the runner would, and returns what the workflow sees. */
export function runAllInOne(o: AllInOneRun): Promise<ActionRun> {
  const tools = toolPaths()[o.helm === 3 ? 'v31' : 'v34'];
  const { sandbox } = o;
  return runActionProcess(repoRoot, {
    eventName: o.eventName,
    event: o.event,
    repository: o.repo,
    runId: o.runId,
    timeoutMs: 240_000,
    ...(o.stop ? { stop: o.stop } : {}),
    env: {
      ...sandbox.env,
      GITHUB_REPOSITORY: o.repo,
      PATH: `${dirname(tools.helm)}:${process.env.PATH ?? ''}`,
      HOME: o.home,
    },
    secrets: [sandbox.env.VAULT_TOKEN!, sandbox.github!.token],
    inputs: { ...modelInputs(sandbox), ...o.inputs },
  });
}

/** The scheduled reaper's event. */
export const scheduleEvent = (repo: string) => ({ schedule: '17 * * * *', repository: { full_name: repo } });
