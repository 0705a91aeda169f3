/**
 * A real browser against a sandbox preview: the bundled wait-ready waits for the rollout and the
 * probe through the ingress stand-in (HTTPS proxy, real TLS), then runs the example Playwright
 * suite (workflows-examples/smoke) with Debian's chromium through the same proxy; its JUnit report
 * becomes the comment's smoke results via the bundled comment-status and the GitHub stand-in.
 * Chromium comes from .ci/install-system.sh (`apt-get install chromium`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { request } from 'node:http';
import { createHash, X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { startKube, type KubeObject, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { startIngress, type IngressStandIn } from '@preview-fleet/sandbox/ingress';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';

const CHROMIUM = '/usr/bin/chromium';
const REPO = 'acme/web';
const smokeDir = join(repoRoot, 'workflows-examples', 'smoke');

let kube: KubeStandIn;
let ingress: IngressStandIn;
let gh: GitHubStandIn;
let home: string;

beforeAll(async () => {
  kube = await startKube({ controllerDelayMs: 50 });
  [ingress, gh] = await Promise.all([
    startIngress({ store: kube.store, domain: 'preview.sandbox.test' }),
    startGitHub(),
  ]);
  home = mkdtempSync(join(tmpdir(), 'pf-playwright-'));
});
afterAll(async () => {
  await Promise.all([ingress?.stop(), gh?.stop()]);
  await kube?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** SHA-256 SPKI (base64) of the certificate the ingress presents for `host`, verified against the sandbox CA first. */
function servedSpki(host: string): Promise<string> {
  const proxy = new URL(ingress.proxyUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: `${host}:443` });
    req.on('connect', (_res, socket) => {
      const tls = tlsConnect({ socket, servername: host, ca: readFileSync(ingress.caFile) }, () => {
        const der = tls.getPeerCertificate().raw;
        tls.end();
        const spki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
        resolve(createHash('sha256').update(spki).digest('base64'));
      });
      tls.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function previewApp(ns: string, host: string): void {
  const t = (kind: string) => kube.store.types.byKind(kind)!;
  kube.store.create(t('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as KubeObject);
  kube.store.create(t('Deployment'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: ns, labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'r/app:1' }] } },
    },
  } as KubeObject);
  kube.store.create(t('Service'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'app', namespace: ns },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  } as KubeObject);
  kube.store.create(t('Ingress'), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'app', namespace: ns },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'app', port: { number: 80 } } } }],
          },
        },
      ],
    },
  } as KubeObject);
}

describe('Playwright with Debian chromium against a sandbox preview', () => {
  it('chromium is installed (.ci/install-system.sh)', () => {
    expect(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: run .ci/install-system.sh as root (apt-get install chromium)`,
    ).toBe(true);
  });

  it('wait-ready runs the example suite in a real browser through the ingress; the comment shows its results', async () => {
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const ns = `preview-pr-${pr.number}`;
    const host = `app-pr-${pr.number}.preview.sandbox.test`;
    previewApp(ns, host);
    const report = join(home, 'smoke-results.xml');
    const event = pullRequestEvent('synchronize', { number: pr.number, repository: REPO, headSha: pr.head.sha });
    const t0 = performance.now();
    const ready = await runActionProcess(join(repoRoot, 'actions', 'wait-ready'), {
      inputs: {
        namespace: ns,
        url: `https://${host}/`,
        timeout: '3m',
        'smoke-command': `${join(repoRoot, 'node_modules', '.bin', 'playwright')} test --config ${join(smokeDir, 'playwright.config.mjs')}`,
        'junit-report': report,
      },
      event,
      repository: REPO,
      runId: 5150,
      timeoutMs: 240_000,
      cwd: home,
      env: {
        ...ingress.env,
        PATH: `${dirname(toolPaths().v34.kubectl)}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        HOME: home,
        KUBECONFIG: kube.kubeconfigPath,
        CHROMIUM_PATH: CHROMIUM,
        SMOKE_JUNIT: report,
        SMOKE_OUTPUT_DIR: join(home, 'test-results'),
        SMOKE_TRUST_SPKI: await servedSpki(host),
        SMOKE_EXPECT_TEXT: `preview-fleet sandbox: ${ns}/app`,
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(ready.exitCode, ready.log).toBe(0);
    expect(ready.outputs).toMatchObject({ ready: 'true', 'smoke-result': 'passed' });
    expect(ready.outputs['smoke-report']).toMatch(
      /^\*\*Smoke tests:\*\* ✅ 2 passed · 0 failed · 0 skipped in [\d.]+ s — \[report\]\(https:\/\/github\.com\/acme\/web\/actions\/runs\/5150\)$/,
    );
    // The browser really went through the ingress stand-in for both pages.
    expect(
      ingress
        .hits()
        .filter((h) => h.host === host && h.status === 200)
        .map((h) => h.path),
    ).toEqual(expect.arrayContaining(['/', '/healthz']));

    const comment = await runActionProcess(join(repoRoot, 'actions', 'comment-status'), {
      inputs: {
        'github-token': gh.token,
        state: 'ready',
        url: `https://${host}/`,
        details: ready.outputs['smoke-report']!,
      },
      event,
      repository: REPO,
      runId: 5150,
      env: { GITHUB_API_URL: gh.url },
      secrets: [gh.token],
      timeoutMs: 60_000,
    });
    expect(comment.exitCode, comment.log).toBe(0);
    expect(String(gh.comments(REPO, pr.number)[0]?.body)).toContain(ready.outputs['smoke-report']);
    console.info(
      `Playwright smoke through the ingress stand-in: wait-ready (rollout + probe + 2 chromium tests) in ${seconds.toFixed(1)} s`,
    );
  });
});
