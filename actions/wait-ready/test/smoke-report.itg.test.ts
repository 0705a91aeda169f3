/**
 * Smoke results in the PR comment, runner-style: the bundled wait-ready runs a real smoke suite
 * (a node script that checks the preview and writes a JUnit report, as Playwright's junit reporter
 * does) and the bundled comment-status posts its `smoke-report` to the GitHub stand-in — passing
 * and failing, with the failing test's name, its first message line redacted, and a failing
 * suite failing the preview.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { startKube, type KubeObject, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { toolPaths } from '@preview-fleet/testkit/tools';

const here = dirname(fileURLToPath(import.meta.url));
const waitReadyDir = join(here, '..');
const commentStatusDir = join(here, '..', '..', 'comment-status');
const script = join(here, 'fixtures', 'junit-smoke.mjs');
const REPO = 'acme/web';
const TOKEN = 'smoke-bypass-5e1c7a9d-secret';

let kube: KubeStandIn;
let gh: GitHubStandIn;
let server: Server;
let base: string;
let home: string;

beforeAll(async () => {
  [kube, gh] = await Promise.all([startKube({ controllerDelayMs: 50 }), startGitHub()]);
  home = mkdtempSync(join(tmpdir(), 'pf-smoke-'));
  server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Acme preview</h1>'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => gh.assertContract());
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await Promise.all([kube?.stop(), gh?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

function namespaceWithApp(ns: string): void {
  kube.store.create(kube.store.types.get('', 'v1', 'namespaces')!, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  } as KubeObject);
  kube.store.create(kube.store.types.get('apps', 'v1', 'deployments')!, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'r/web:1' }] } },
    },
  } as KubeObject);
}

async function smokeThenComment(
  pr: Record<string, any>,
  expectText: string,
): Promise<{ ready: ActionRun; comment: ActionRun; body: string }> {
  const ns = `preview-pr-${pr.number}`;
  namespaceWithApp(ns);
  const report = join(home, `report-${pr.number}.xml`);
  writeFileSync(
    report,
    '<testsuites><testsuite name="stale"><testcase name="from an earlier run"/></testsuite></testsuites>',
  );
  const event = pullRequestEvent('synchronize', { number: pr.number, repository: REPO, headSha: pr.head.sha });
  const ready = await runActionProcess(waitReadyDir, {
    inputs: {
      namespace: ns,
      url: `${base}/`,
      timeout: '60s',
      headers: `X-Preview-Bypass: ${TOKEN}`,
      'smoke-command': `node ${script} ${report}`,
      'junit-report': report,
    },
    event,
    repository: REPO,
    runId: 4242,
    secrets: [TOKEN],
    timeoutMs: 90_000,
    env: {
      PATH: `${dirname(toolPaths().v34.kubectl)}:${process.env.PATH ?? ''}`,
      HOME: home,
      KUBECONFIG: kube.kubeconfigPath,
      SMOKE_EXPECT: expectText,
      SMOKE_TOKEN: TOKEN,
    },
  });
  const okay = ready.outputs.ready === 'true';
  const comment = await runActionProcess(commentStatusDir, {
    inputs: {
      'github-token': gh.token,
      state: okay ? 'ready' : 'failed',
      url: `${base}/`,
      details: okay ? ready.outputs['smoke-report']! : ready.outputs.diagnostics!,
    },
    event,
    repository: REPO,
    runId: 4242,
    env: { GITHUB_API_URL: gh.url },
    secrets: [gh.token, TOKEN],
    timeoutMs: 60_000,
  });
  return { ready, comment, body: String(gh.comments(REPO, pr.number)[0]?.body ?? '') };
}

describe('JUnit smoke results in the sticky comment (bundled wait-ready + comment-status)', () => {
  it('a passing suite: counts, duration and the run link in the ready comment', async () => {
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const { ready, comment, body } = await smokeThenComment(pr, 'Acme preview');
    expect(ready.exitCode, ready.log).toBe(0);
    expect(ready.outputs).toMatchObject({ ready: 'true', 'smoke-result': 'passed' });
    const line = `**Smoke tests:** ✅ 2 passed · 0 failed · 1 skipped in 1.3 s — [report](https://github.com/${REPO}/actions/runs/4242)`;
    expect(ready.outputs['smoke-report']).toBe(line);
    expect(ready.summary).toMatch(/\| smoke \| [\d.]+ s \| ✅ \| ✅ 2 passed · 0 failed · 1 skipped in 1\.3 s \|/);
    expect(comment.exitCode, comment.log).toBe(0);
    expect(body).toContain('✅');
    expect(body).toContain(line);
    expect([ready.leaks, comment.leaks]).toEqual([[], []]);
  });

  it('a failing suite fails the preview, naming the failing test with its first message line, redacted', async () => {
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const { ready, comment, body } = await smokeThenComment(pr, 'Welcome back');
    expect(ready.exitCode).toBe(1);
    expect(ready.outputs).toMatchObject({ ready: 'false', 'smoke-result': 'failed' });
    const error = ready.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(error).toContain('1 smoke test(s) failed: smoke.spec.mjs › shows "Welcome back"');
    const failing =
      '- `smoke.spec.mjs › shows "Welcome back"`: Error: expected the page to contain "Welcome back" (sent token ***)';
    expect(ready.outputs.diagnostics).toContain('**Smoke tests:** ❌ 1 passed · 1 failed · 1 skipped in 1.3 s');
    expect(ready.outputs.diagnostics).toContain(failing);
    expect(comment.exitCode, comment.log).toBe(0);
    expect(body).toContain('why it failed');
    expect(body).toContain(failing);
    expect(body).not.toContain(TOKEN);
    expect([ready.leaks, comment.leaks]).toEqual([[], []]);
  });

  it('a smoke command that writes no report fails with that said (a stale report from an earlier run is never read)', async () => {
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    namespaceWithApp(`preview-pr-${pr.number}`);
    const report = join(home, 'never-written.xml');
    writeFileSync(report, '<testsuites><testsuite name="stale"><testcase name="old pass"/></testsuite></testsuites>');
    const r = await runActionProcess(waitReadyDir, {
      inputs: {
        namespace: `preview-pr-${pr.number}`,
        url: `${base}/`,
        timeout: '60s',
        'smoke-command': 'node -e 0',
        'junit-report': report,
      },
      event: pullRequestEvent('synchronize', { number: pr.number, repository: REPO, headSha: pr.head.sha }),
      repository: REPO,
      timeoutMs: 90_000,
      env: {
        PATH: `${dirname(toolPaths().v34.kubectl)}:${process.env.PATH ?? ''}`,
        HOME: home,
        KUBECONFIG: kube.kubeconfigPath,
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.outputs['smoke-result']).toBe('failed');
    expect(r.annotations.find((a) => a.level === 'error')?.message).toContain(
      `The smoke report ${report} was not written`,
    );
    expect(existsSync(report)).toBe(false);
  });
});
