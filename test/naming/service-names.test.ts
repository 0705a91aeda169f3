/**
 * Issue 14 item 18: one normalisation of service names, shared by every action. Whatever string
 * a workflow passes as the service, deploy-helm and teardown (and the other actions) either both
 * refuse it or plan the same release, namespace, Vault path and ECR repository for it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, planService } from '@preview-fleet/core';
import { parseInputs as parseBuild, planBuild } from '@preview-fleet/action-build-push/inputs';
import { parseInputs as parseComment } from '@preview-fleet/action-comment-status/inputs';
import { parseInputs as parseDeploy, planDeploy } from '@preview-fleet/action-deploy-helm/inputs';
import { parseInputs as parseSeed, planSeed } from '@preview-fleet/action-seed-vault/inputs';
import { parseInputs as parseTeardown, planTeardown } from '@preview-fleet/action-teardown/inputs';

const workspace = mkdtempSync(join(tmpdir(), 'pf-service-names-'));
writeFileSync(join(workspace, 'Chart.yaml'), 'apiVersion: v2\nname: x\nversion: 0.1.0\n');
writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
const PR = { number: 5, headSha: 'a'.repeat(40) };
const REPO = 'acme/web';
const VAULT = { 'auth-method': 'token', token: 't', 'vault-addr': 'http://127.0.0.1:8200' };

/** What each action would act on for `service`, or the input it refused it as. */
function plans(service: string) {
  const attempt = <T>(f: () => T): T | string => {
    try {
      return f();
    } catch (err) {
      if (err instanceof InputError) return `refused ${err.input}`;
      throw err;
    }
  };
  const deploy = attempt(() => planDeploy(parseDeploy({ chart: workspace, service }, workspace), PR, REPO));
  const teardown = attempt(
    () =>
      planTeardown(parseTeardown({ ...VAULT, services: service, 'aws-region': 'us-east-1' }, {}), PR, REPO).targets[0]!,
  );
  const seed = attempt(() => planSeed(parseSeed({ ...VAULT, service }, {}), PR, REPO));
  const build = attempt(() => planBuild(parseBuild({ service, 'aws-region': 'us-east-1' }, {}), PR, REPO, workspace));
  const comment = attempt(() => parseComment({ 'github-token': 'x', state: 'queued', service }).service);
  return { deploy, teardown, seed, build, comment };
}

describe('service names: one normalisation for every action', () => {
  it('the review\'s "App Server": deploy and teardown both plan release app-server-pr-5 and the same paths', () => {
    const p = plans('App Server');
    expect(p.deploy).toMatchObject({ release: 'app-server-pr-5', namespace: 'preview-pr-5', service: 'app-server' });
    expect(p.teardown).toMatchObject({
      release: 'app-server-pr-5',
      namespace: 'preview-pr-5',
      vaultPath: 'preview/app-server-5',
      ecrRepository: 'app-server-preview-5',
    });
    expect(p.seed).toMatchObject({ targetPath: 'preview/app-server-5' });
    expect(p.build).toMatchObject({ repository: 'app-server-preview-5' });
    expect(p.comment).toBe('app-server');
  });

  it('for any string, every action refuses it or every action plans the same names', () => {
    const arb = fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[ A-Za-z0-9._\-/]{0,70}$/));
    fc.assert(
      fc.property(arb, (service) => {
        fc.pre(!/[,\n]/.test(service)); // teardown's services is a list: a comma or newline separates two names
        const p = plans(service);
        let canonical: string;
        try {
          canonical = planService('service', service);
        } catch {
          expect(p).toEqual({
            deploy: 'refused service',
            teardown: 'refused services',
            seed: 'refused service',
            build: 'refused service',
            comment: 'refused service',
          });
          return;
        }
        expect(typeof p.deploy, JSON.stringify(p)).toBe('object');
        const deploy = p.deploy as Exclude<typeof p.deploy, string>;
        expect(p.teardown).toMatchObject({ service: canonical, release: deploy.release, namespace: deploy.namespace });
        expect(p.seed).toMatchObject({ targetPath: (p.teardown as { vaultPath: string }).vaultPath });
        expect(p.build).toMatchObject({ repository: (p.teardown as { ecrRepository: string }).ecrRepository });
        expect(p.comment).toBe(canonical);
        expect(planService('service', canonical)).toBe(canonical);
      }),
      { numRuns: 300 },
    );
  });
});
