/** Shared setup for build-push's tests: a workspace with Dockerfiles, and the ECR (moto) + registry stand-ins. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';

export const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPOSITORY = 'acme/web';
/** moto's GetAuthorizationToken password (`<account>-auth-token`) and the token it is encoded in. */
export const MOTO_PASSWORD = '123456789012-auth-token';
export const MOTO_TOKEN = Buffer.from(`AWS:${MOTO_PASSWORD}`).toString('base64');

/**
 * A checked-out repository: `Dockerfile` (FROM scratch, one COPY, then an ARG used by a LABEL), `broken.Dockerfile`
 * (COPY of a missing file), and `docs/` without a Dockerfile.
 */
export function makeWorkspace(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pf-build-push-ws-'));
  writeFileSync(join(dir, 'hello.txt'), 'hello from a preview\n');
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY hello.txt /hello.txt\nARG GREETING=none\nLABEL greeting=$GREETING\n',
  );
  writeFileSync(join(dir, 'broken.Dockerfile'), 'FROM scratch\nCOPY missing.txt /missing.txt\n');
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'README.md'), 'no Dockerfile here\n');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sha = (c: string): string => c.repeat(40);
export const prEvent = (pr: number, headSha: string) =>
  pullRequestEvent('synchronize', { number: pr, repository: REPOSITORY, headSha });

export interface RunOptions {
  pr: number;
  headSha?: string;
  inputs?: Record<string, string>;
  env: Record<string, string>;
  cwd: string;
}

/** One runner-style run of the bundled action on a pull_request event. */
export function runBuildPush(o: RunOptions): Promise<ActionRun> {
  return runActionProcess(actionDir, {
    inputs: o.inputs,
    event: prEvent(o.pr, o.headSha ?? sha('a')),
    eventName: 'pull_request',
    repository: REPOSITORY,
    env: o.env,
    cwd: o.cwd,
    secrets: [MOTO_PASSWORD, MOTO_TOKEN],
    timeoutMs: 150_000,
  });
}
