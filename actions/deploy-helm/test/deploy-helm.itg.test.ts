/**
 * deploy-helm bundled, run as the runner runs it, with the real helm 3.17.3 / 4.1.4 and kubectl
 * on PATH against the Kubernetes stand-in, and the GitHub stand-in answering the PR re-check.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromKube, newMarks } from '@preview-fleet/core';
import { namespaceManifest } from '@preview-fleet/core/kube';
import { pullRequestEvent } from '../../../test/harness/events.js';
import { runActionProcess, type ActionRun } from '../../../test/harness/run-action-process.js';
import { BAD_INPUTS } from './bad-inputs.js';
import { actionDir, chartDir, leavePendingUpgrade, REPOSITORY, startWorld, type Major, type World } from './fixture.js';

let w: World;
beforeAll(async () => { w = await startWorld(); });
afterAll(async () => w?.stop());

const SENSITIVE = 'vault-token-s3cr3t-ref';

interface Pr { number: number; headSha: string }

function openPr(labels = ['preview']): Pr {
  const pr = w.gh.openPullRequest(REPOSITORY, { labels });
  return { number: pr.number, headSha: pr.head.sha };
}

function deploy(major: Major, pr: Pr, inputs: Record<string, string> = {}, headSha = pr.headSha): Promise<ActionRun> {
  return runActionProcess(actionDir, {
    inputs: { chart: chartDir, 'github-token': w.gh.token, domain: 'preview.example.com', timeout: '40s', ...inputs },
    event: pullRequestEvent('synchronize', { number: pr.number, repository: REPOSITORY, headSha, labels: ['preview'] }),
    eventName: 'pull_request', repository: REPOSITORY, env: w.env(major), secrets: [SENSITIVE, w.gh.token], timeoutMs: 80_000,
  });
}

function ok(r: ActionRun): ActionRun {
  expect(r.exitCode, r.log).toBe(0);
  expect(r.leaks).toEqual([]);
  return r;
}

const errorOf = (r: ActionRun): string => r.annotations.filter((a) => a.level === 'error').map((a) => a.message).join('\n');

/** helm's JSON output, read asynchronously: the stand-in answers from this very process. */
async function helmJson(major: Major, args: string[]): Promise<any> {
  const { stdout } = await promisify(execFile)(w.helm(major), [...args, '--output', 'json'], { env: { ...process.env, ...w.env(major) }, encoding: 'utf8' });
  return JSON.parse(stdout);
}

const VALUES = [
  'env:',
  '  CSV: "a,b,c"',
  `  QUOTED: 'she said "hi", then left'`,
  '  MULTI: |',
  '    line one',
  '    line two, with a comma',
  '',
].join('\n');

describe.each([3, 4] as const)('Helm %i', (major) => {
  let pr: Pr;
  let ns: string;
  let release: string;

  it('installs into a marked, fenced namespace with every value intact', async () => {
    pr = openPr();
    ns = `preview-pr-${pr.number}`;
    release = `app-pr-${pr.number}`;
    const r = ok(await deploy(major, pr, {
      image: 'registry.example.com:5000/acme/kube:preview-1', values: VALUES, 'secret-ref': 'app-env', 'sensitive-secret-ref': SENSITIVE,
      set: 'env.EQUALS=a=b,c=d\nenv.DOTTED=x.y.z\nreplicaCount=1\nenv.NUMBER_AS_TEXT="007"',
    }));
    expect(r.outputs).toEqual({
      status: 'deployed', namespace: ns, release, url: `https://app-pr-${pr.number}.preview.example.com`, revision: '1', diagnostics: '',
    });
    expect(r.masked).toContain(SENSITIVE);
    expect(r.summary).toContain(`| ${release} | ${ns} | 1 |`);

    const values = await helmJson(major, ['get', 'values', release, '--namespace', ns]);
    expect(values.env).toEqual({
      CSV: 'a,b,c', QUOTED: 'she said "hi", then left', MULTI: 'line one\nline two, with a comma\n', EQUALS: 'a=b,c=d', DOTTED: 'x.y.z', NUMBER_AS_TEXT: '007',
    });
    expect(values).toMatchObject({
      image: { repository: 'registry.example.com:5000/acme/kube', tag: 'preview-1' }, ingress: { host: `app-pr-${pr.number}.preview.example.com` },
      secretRef: 'app-env', sensitiveSecretRef: SENSITIVE, replicaCount: 1,
    });
    const cm = w.get('configmaps', ns, `${release}-env`) as any;
    expect(cm.data.MULTI).toBe('line one\nline two, with a comma\n');

    const quota = w.get('resourcequotas', ns, 'preview-fleet') as any;
    expect(quota.spec.hard).toEqual({ 'requests.cpu': '500m', 'requests.memory': '512Mi', 'limits.cpu': '1', 'limits.memory': '1Gi', pods: '10' });
    expect(w.get('limitranges', ns, 'preview-fleet')).toBeDefined();
    const policy = w.get('networkpolicies', ns, 'preview-fleet') as any;
    expect(policy.spec.ingress[0].from[1]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } });

    const namespace = w.get('namespaces', undefined, ns)!;
    expect(fromKube(namespace.metadata.labels, namespace.metadata.annotations)).toMatchObject({ repository: REPOSITORY, pr: pr.number, headSha: pr.headSha });
    const created = Date.parse(namespace.metadata.annotations!['preview-fleet.dev/created-at']!);
    const expires = Date.parse(namespace.metadata.annotations!['preview-fleet.dev/expires-at']!);
    expect(expires - created).toBe(72 * 3600_000);
  });

  it('recovers a release stuck in pending-upgrade, then upgrades with marks refreshed', async () => {
    const before = w.get('namespaces', undefined, ns)!.metadata.annotations!;
    const stuck = leavePendingUpgrade(w, ns, release);
    expect((await helmJson(major, ['status', release, '--namespace', ns])).info.status).toBe('pending-upgrade');
    const newSha = 'e'.repeat(40);
    const r = ok(await deploy(major, pr, { values: VALUES }, newSha));
    const warning = r.annotations.find((a) => a.level === 'warning' && /stuck in pending-upgrade/.test(a.message));
    expect(warning?.message).toContain(`Release "${release}" was stuck in pending-upgrade (revision ${stuck}`);
    expect(warning?.message).toContain('rolled back to revision 1');
    expect(r.summary).toContain('stuck in pending-upgrade');
    const history = (await helmJson(major, ['history', release, '--namespace', ns])) as Array<{ revision: number; status: string }>;
    expect(history.at(-1)).toMatchObject({ revision: stuck + 2, status: 'deployed' });
    expect(r.outputs.revision).toBe(String(stuck + 2));

    const after = w.get('namespaces', undefined, ns)!.metadata.annotations!;
    expect(after['preview-fleet.dev/head-sha']).toBe(newSha);
    expect(after['preview-fleet.dev/created-at']).toBe(before['preview-fleet.dev/created-at']);
    expect(Date.parse(after['preview-fleet.dev/expires-at']!)).toBeGreaterThan(Date.parse(before['preview-fleet.dev/expires-at']!));
  });

  it('a never-ready upgrade fails with diagnostics naming ImagePullBackOff and is rolled back', async () => {
    const good = (await helmJson(major, ['status', release, '--namespace', ns])).version as number;
    const r = await deploy(major, pr, { set: 'scenario=image-pull-backoff\nimage.tag=does-not-exist', timeout: '8s' });
    expect(r.exitCode).toBe(1);
    expect(r.leaks).toEqual([]);
    expect(r.outputs.status).toBe('failed');
    expect(r.outputs.diagnostics).toContain('ImagePullBackOff');
    expect(errorOf(r)).toMatch(new RegExp(`Helm ${major} upgrade of "${release}" in "${ns}" failed — .*ImagePullBackOff`));
    expect(errorOf(r)).toContain(`(rolled back: revision ${good + 2} is deployed)`);
    const status = await helmJson(major, ['status', release, '--namespace', ns]);
    expect(status.info.status).toBe('deployed');
    expect(status.version).toBe(good + 2);
    expect((await helmJson(major, ['get', 'values', release, '--namespace', ns])).scenario).toBeUndefined();
    expect((w.get('deployments', ns, release) as any).spec.template.spec.containers[0].image).toBe('registry.example.com/tiny:1.0');
  });
});

describe('guards (no release is touched)', () => {
  it('refuses an existing namespace without our marks, creating nothing in it', async () => {
    const pr = openPr();
    const ns = `preview-pr-${pr.number}`;
    w.kube.store.create(w.kube.store.types.get('', 'v1', 'namespaces')!, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: 'payments' } } });
    const r = await deploy(3, pr);
    expect(r.exitCode).toBe(1);
    expect(errorOf(r)).toContain(`Namespace "${ns}" exists but does not carry preview-fleet's marks; refusing to deploy into it`);
    expect(w.get('resourcequotas', ns, 'preview-fleet')).toBeUndefined();
    expect(w.get('namespaces', undefined, ns)!.metadata.labels).toEqual({ team: 'payments', 'kubernetes.io/metadata.name': ns });
    expect(w.kube.store.list(w.kube.store.types.get('', 'v1', 'secrets')!, ns)).toEqual([]);
  });

  it('skips a PR that closed (or lost its label) before the deploy, creating nothing', async () => {
    const closed = openPr();
    w.gh.closePullRequest(REPOSITORY, closed.number);
    const unlabelled = openPr([]);
    for (const [pr, reason] of [[closed, 'is closed'], [unlabelled, 'no longer has the "preview" label']] as const) {
      const r = ok(await deploy(4, pr));
      expect(r.outputs).toMatchObject({ status: 'skipped', namespace: `preview-pr-${pr.number}`, revision: '' });
      expect(r.annotations.find((a) => a.level === 'notice')?.message).toBe(`Not deploying: pull request #${pr.number} ${reason}.`);
      expect(w.get('namespaces', undefined, `preview-pr-${pr.number}`)).toBeUndefined();
    }
  });

  it('enforces max-previews, naming the oldest previews', async () => {
    const namespaces = w.kube.store.types.get('', 'v1', 'namespaces')!;
    for (const [n, day] of [[901, '01'], [902, '02']] as const) {
      const marks = newMarks({ repository: REPOSITORY, pr: n, now: Date.parse(`2020-01-${day}T00:00:00Z`), ttlMs: 3600_000 });
      w.kube.store.create(namespaces, namespaceManifest(`preview-pr-${n}`, marks) as any);
    }
    const marked = w.kube.store.list(namespaces).filter((n: any) => fromKube(n.metadata.labels, n.metadata.annotations));
    const pr = openPr();
    const r = await deploy(4, pr, { 'max-previews': String(marked.length) });
    expect(r.exitCode).toBe(1);
    expect(errorOf(r)).toMatch(new RegExp(`The cap of ${marked.length} preview\\(s\\) is reached \\(${marked.length} exist\\); not deploying PR #${pr.number}\\. Oldest: preview-pr-901 \\(PR #901, created 2020-01-01T00:00:00.000Z\\), preview-pr-902`));
    expect(w.get('namespaces', undefined, `preview-pr-${pr.number}`)).toBeUndefined();
  });

  it(`refuses ${BAD_INPUTS.length} bad inputs, each with one clear ::error:: and no request to the cluster or GitHub`, async () => {
    const before = { kube: w.kube.requestLog().length, gh: w.gh.requestLog().length };
    for (const c of BAD_INPUTS) {
      const r = await runActionProcess(actionDir, {
        inputs: { chart: chartDir, 'github-token': w.gh.token, ...c.inputs },
        event: pullRequestEvent('opened', { number: 77, repository: REPOSITORY, labels: ['preview'] }),
        eventName: 'pull_request', repository: REPOSITORY, env: w.env(4), timeoutMs: 30_000,
      });
      expect([c.name, r.exitCode]).toEqual([c.name, 1]);
      const errors = r.annotations.filter((a) => a.level === 'error');
      expect(errors, c.name).toHaveLength(1);
      expect(errors[0]!.message, c.name).toContain(`Input "${c.input}"`);
      expect(errors[0]!.message, c.name).toMatch(c.message);
      expect(r.leaks, c.name).toEqual([]);
    }
    expect(w.kube.requestLog().length).toBe(before.kube);
    expect(w.gh.requestLog().length).toBe(before.gh);
  });
});
