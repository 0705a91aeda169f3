/**
 * What deploy-helm's runner-style test files share: the world, running the bundled action with
 * the real helm 3.17.3 / 4.1.4 and kubectl on PATH against the Kubernetes stand-in (the GitHub
 * stand-in answers the PR re-check), and the per-major suite.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromKube } from '@preview-fleet/core';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { actionDir, chartDir, leavePendingUpgrade, REPOSITORY, startWorld, type Major, type World } from './fixture.js';

let w: World;

/** Starts the stand-ins for the calling test file (one world per file, so files run in parallel). */
export function useWorld(): () => World {
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.stop());
  return () => w;
}

export const SENSITIVE = 'vault-token-s3cr3t-ref';

export interface Pr {
  number: number;
  headSha: string;
}

export function openPr(labels = ['preview']): Pr {
  const pr = w.gh.openPullRequest(REPOSITORY, { labels });
  return { number: pr.number, headSha: pr.head.sha };
}

export function deploy(
  major: Major,
  pr: Pr,
  inputs: Record<string, string> = {},
  headSha = pr.headSha,
  secrets: string[] = [],
): Promise<ActionRun> {
  return runActionProcess(actionDir, {
    inputs: { chart: chartDir, 'github-token': w.gh.token, domain: 'preview.example.com', timeout: '40s', ...inputs },
    event: pullRequestEvent('synchronize', { number: pr.number, repository: REPOSITORY, headSha, labels: ['preview'] }),
    eventName: 'pull_request',
    repository: REPOSITORY,
    env: w.env(major),
    secrets: [SENSITIVE, w.gh.token, ...secrets],
    timeoutMs: 80_000,
  });
}

export function ok(r: ActionRun): ActionRun {
  expect(r.exitCode, r.log).toBe(0);
  expect(r.leaks).toEqual([]);
  return r;
}

export const errorOf = (r: ActionRun): string =>
  r.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');

/** helm's JSON output, read asynchronously: the stand-in answers from this very process. */
export async function helmJson(major: Major, args: string[]): Promise<any> {
  const { stdout } = await promisify(execFile)(w.helm(major), [...args, '--output', 'json'], {
    env: { ...process.env, ...w.env(major) },
    encoding: 'utf8',
  });
  return JSON.parse(stdout);
}

export const VALUES = [
  'env:',
  '  CSV: "a,b,c"',
  `  QUOTED: 'she said "hi", then left'`,
  '  MULTI: |',
  '    line one',
  '    line two, with a comma',
  '',
].join('\n');

/** Install, stuck-release recovery + upgrade, and a never-ready upgrade, with Helm `major`. */
export function majorSuite(major: Major): void {
  useWorld();
  describe(`Helm ${major}`, () => {
    let pr: Pr;
    let ns: string;
    let release: string;

    it('installs into a marked, fenced namespace with every value intact', async () => {
      pr = openPr();
      ns = `preview-pr-${pr.number}`;
      release = `app-pr-${pr.number}`;
      const r = ok(
        await deploy(major, pr, {
          image: 'registry.example.com:5000/acme/kube:preview-1',
          values: VALUES,
          'secret-ref': 'app-env',
          'sensitive-secret-ref': SENSITIVE,
          set: 'env.EQUALS=a=b,c=d\nenv.DOTTED=x.y.z\nreplicaCount=1\nenv.NUMBER_AS_TEXT="007"',
        }),
      );
      expect(r.outputs).toEqual({
        status: 'deployed',
        namespace: ns,
        release,
        url: `https://app-pr-${pr.number}.preview.example.com`,
        revision: '1',
        diagnostics: '',
        // No Vault here: no login kept, so no basic-auth Secret.
        'basic-auth-secret': '',
        'basic-auth-location': '',
      });
      expect(r.masked).toContain(SENSITIVE);
      expect(r.summary).toContain(`| ${release} | ${ns} | 1 |`);

      const values = await helmJson(major, ['get', 'values', release, '--namespace', ns]);
      expect(values.env).toEqual({
        CSV: 'a,b,c',
        QUOTED: 'she said "hi", then left',
        MULTI: 'line one\nline two, with a comma\n',
        EQUALS: 'a=b,c=d',
        DOTTED: 'x.y.z',
        NUMBER_AS_TEXT: '007',
      });
      expect(values).toMatchObject({
        image: { repository: 'registry.example.com:5000/acme/kube', tag: 'preview-1' },
        ingress: { host: `app-pr-${pr.number}.preview.example.com` },
        secretRef: 'app-env',
        sensitiveSecretRef: SENSITIVE,
        replicaCount: 1,
      });
      const cm = w.get('configmaps', ns, `${release}-env`) as any;
      expect(cm.data.MULTI).toBe('line one\nline two, with a comma\n');

      const quota = w.get('resourcequotas', ns, 'preview-fleet') as any;
      expect(quota.spec.hard).toEqual({
        'requests.cpu': '500m',
        'requests.memory': '512Mi',
        'limits.cpu': '1',
        'limits.memory': '1Gi',
        pods: '10',
      });
      expect(w.get('limitranges', ns, 'preview-fleet')).toBeDefined();
      const policy = w.get('networkpolicies', ns, 'preview-fleet') as any;
      expect(policy.spec.ingress[0].from[1]).toEqual({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
      });

      const namespace = w.get('namespaces', undefined, ns)!;
      expect(fromKube(namespace.metadata.labels, namespace.metadata.annotations)).toMatchObject({
        repository: REPOSITORY,
        pr: pr.number,
        headSha: pr.headSha,
      });
      const created = Date.parse(namespace.metadata.annotations!['preview-fleet.dev/created-at']!);
      const expires = Date.parse(namespace.metadata.annotations!['preview-fleet.dev/expires-at']!);
      expect(expires - created).toBe(72 * 3600_000);
    });

    it('recovers a release stuck in pending-upgrade for longer than stuck-after, then upgrades with marks refreshed', async () => {
      const before = w.get('namespaces', undefined, ns)!.metadata.annotations!;
      const stuck = leavePendingUpgrade(w, ns, release, 20 * 60_000);
      expect((await helmJson(major, ['status', release, '--namespace', ns])).info.status).toBe('pending-upgrade');
      const newSha = w.gh.pushCommit(REPOSITORY, pr.number);
      pr = { ...pr, headSha: newSha };
      const r = ok(await deploy(major, pr, { values: VALUES }));
      const warning = r.annotations.find((a) => a.level === 'warning' && /stuck in pending-upgrade/.test(a.message));
      expect(warning?.message).toContain(`Release "${release}" was stuck in pending-upgrade (revision ${stuck}`);
      expect(warning?.message).toMatch(
        /last updated 20m\d*s? ago, over stuck-after 10m: an interrupted earlier run\); rolled back to revision 1/,
      );
      expect(r.summary).toContain('stuck in pending-upgrade');
      const history = (await helmJson(major, ['history', release, '--namespace', ns])) as Array<{
        revision: number;
        status: string;
      }>;
      expect(history.at(-1)).toMatchObject({ revision: stuck + 2, status: 'deployed' });
      expect(r.outputs.revision).toBe(String(stuck + 2));

      const after = w.get('namespaces', undefined, ns)!.metadata.annotations!;
      expect(after['preview-fleet.dev/head-sha']).toBe(newSha);
      expect(after['preview-fleet.dev/created-at']).toBe(before['preview-fleet.dev/created-at']);
      expect(Date.parse(after['preview-fleet.dev/expires-at']!)).toBeGreaterThan(
        Date.parse(before['preview-fleet.dev/expires-at']!),
      );
    });

    it('a never-ready upgrade fails with diagnostics naming ImagePullBackOff and is rolled back', async () => {
      const good = (await helmJson(major, ['status', release, '--namespace', ns])).version as number;
      const r = await deploy(major, pr, {
        set: 'scenario=image-pull-backoff\nimage.tag=does-not-exist',
        timeout: '16s',
      });
      expect(r.exitCode).toBe(1);
      expect(r.leaks).toEqual([]);
      expect(r.outputs.status).toBe('failed');
      expect(r.outputs.diagnostics).toContain('ImagePullBackOff');
      expect(errorOf(r)).toMatch(
        new RegExp(`Helm ${major} upgrade of "${release}" in "${ns}" failed — .*ImagePullBackOff`),
      );
      expect(errorOf(r)).toContain(`(rolled back: revision ${good + 2} is deployed)`);
      const status = await helmJson(major, ['status', release, '--namespace', ns]);
      expect(status.info.status).toBe('deployed');
      expect(status.version).toBe(good + 2);
      expect((await helmJson(major, ['get', 'values', release, '--namespace', ns])).scenario).toBeUndefined();
      expect((w.get('deployments', ns, release) as any).spec.template.spec.containers[0].image).toBe(
        'registry.example.com/tiny:1.0',
      );
    });
  });
}
