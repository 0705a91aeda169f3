/**
 * `npm run sandbox`: the whole preview lifecycle, played with the *bundled* all-in-one action
 * (root dist/index.js, which runs the seven actions' bundles as steps) exactly as the runner
 * would, against every stand-in. It prints each step and the sticky comment after it, and
 * returns true only when every step did what it should and nothing is left at the end.
 *
 *  1. PR 1 opened with the label        → live URL (image built, secrets seeded); private: 401
 *                                         without the login, 200 with the one kept in its Vault path
 *  2. a push to PR 1 changing the app  → redeployed, image rebuilt under its new content tag
 *  3. PR 1's run re-run, and PR 2 opened in parallel → no rebuild for PR 1; PR 2 live
 *  3b. PR 2 idle (KEDA HTTP add-on)    → scaled to 0; a deploy left asleep shows 💤; a visit wakes it: 200
 *  4. PR 1 closed                       → teardown table, every resource gone
 *  5. PR 2 closed, its webhook "lost"   → the scheduled reaper finds and removes it
 *  6. inventory                         → zero namespaces, releases, Vault paths, ECR repos, active deployments
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { LABELS } from '@preview-fleet/core';
import { runActionProcess, type ActionRun } from './run-action-process.js';
import { pullRequestEvent } from './events.js';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { prebuiltImage } from '@preview-fleet/sandbox/registry';
import { repoRoot, toolPaths } from './tools.js';
import { QUICK_SLEEP_VALUES, sleepAndWake } from './story-sleep.js';

const REPO = 'acme/web';
const MARKER = 'preview-fleet:status';

export interface StoryOptions {
  /** Where the narration goes (default stdout). */
  print?: (line: string) => void;
  /** Helm major the deploy uses (default 4; the other major is covered by the actions' tests). */
  helm?: 3 | 4;
  /** Write each run's full log here as <run id>.log (default: env PREVIEW_FLEET_STORY_LOGS, else none). */
  logDir?: string;
}

export interface StoryResult {
  ok: boolean;
  failures: string[];
  /** What is left at the end, per kind (all zero when ok). */
  inventory: Record<string, string[]>;
}

export async function playStory(options: StoryOptions = {}): Promise<boolean> {
  return (await runStory(options)).ok;
}

export async function runStory(options: StoryOptions = {}): Promise<StoryResult> {
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const failures: string[] = [];
  const expect = (ok: boolean, what: string) => {
    print(`  ${ok ? '✔' : '✘'} ${what}`);
    if (!ok) failures.push(what);
  };
  // The KEDA HTTP add-on with real timers: KEDA polls every 250 ms (its own default is 30 s).
  const sandbox = await startSandbox({ repository: REPO, controllerDelayMs: 150, keda: { pollingIntervalMs: 250 } });
  const work = mkdtempSync(join(tmpdir(), 'pf-story-'));
  let inventory: Record<string, string[]> = {};
  try {
    print(
      `sandbox up: ${sandbox.parts.join(', ')}${
        Object.keys(sandbox.skipped).length
          ? ` (not here: ${Object.entries(sandbox.skipped)
              .map(([p, why]) => `${p}: ${why}`)
              .join('; ')})`
          : ''
      }`,
    );
    const gh = sandbox.github!;
    const { appDir, image } = await prepare(sandbox, work, print);
    // Without podman nothing is built: every check says what really happened instead.
    const noBuild = `no build here: ${sandbox.skipped.registry ?? 'no registry'}`;
    let runId = 5000;
    const tools = toolPaths()[options.helm === 3 ? 'v31' : 'v34'];
    const home = join(work, 'home');
    const logDir = options.logDir ?? process.env.PREVIEW_FLEET_STORY_LOGS;
    const run = async (
      eventName: string,
      event: unknown,
      extra: Record<string, string> = {},
      rerunOf?: number,
    ): Promise<ActionRun> => {
      const id = rerunOf ?? ++runId;
      const r = await runOnce(eventName, event, extra, id, rerunOf ? 2 : 1);
      if (logDir) {
        mkdirSync(logDir, { recursive: true });
        writeFileSync(join(logDir, `${id}-${rerunOf ? 2 : 1}.log`), r.log);
      }
      return r;
    };
    const runOnce = (
      eventName: string,
      event: unknown,
      extra: Record<string, string>,
      id: number,
      attempt: number,
    ): Promise<ActionRun> =>
      runActionProcess(repoRoot, {
        eventName,
        event,
        repository: REPO,
        runId: id,
        runAttempt: attempt,
        timeoutMs: 300_000,
        env: { ...sandbox.env, PATH: `${dirname(tools.helm)}:${process.env.PATH ?? ''}`, HOME: home },
        secrets: [sandbox.env.VAULT_TOKEN!, gh.token],
        inputs: {
          services: 'app',
          chart: join(repoRoot, 'workflows-examples/charts/preview'),
          domain: sandbox.ingress!.domain,
          'vault-addr': sandbox.env.VAULT_ADDR!,
          role: 'preview',
          'github-token': gh.token,
          'aws-region': sandbox.env.AWS_REGION!,
          builder: 'podman',
          registry: sandbox.env.REGISTRY ?? '',
          context: appDir,
          image,
          timeout: '2m',
          ...extra,
        },
      });
    const comment = (pr: number) => {
      const c = gh.comments(REPO, pr).filter((x) => String(x.body).includes(MARKER));
      print(`  ── sticky comment on PR #${pr} (${c.length} comment${c.length === 1 ? '' : 's'}) ──`);
      for (const line of String(c[0]?.body ?? '(none)')
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('<!--')))
        print(`  │ ${line}`);
      return c;
    };
    const built = (r: ActionRun) => (JSON.parse(r.outputs.built || '{}') as Record<string, boolean>).app;
    const fail = (r: ActionRun) => {
      if (r.exitCode !== 0)
        print(
          r.log
            .split('\n')
            .slice(-30)
            .map((l) => `  ! ${l}`)
            .join('\n'),
        );
    };

    print('\n1. PR #1 opened with the "preview" label');
    const pr1 = gh.openPullRequest(REPO, { labels: ['preview'], title: 'Checkout: one-click payments' });
    const r1 = await run(
      'pull_request',
      pullRequestEvent('opened', { number: pr1.number, repository: REPO, headSha: pr1.head.sha, labels: ['preview'] }),
    );
    fail(r1);
    expect(r1.exitCode === 0, `deploy succeeded (${(r1.durationMs / 1000).toFixed(1)} s)`);
    expect(r1.outputs.url === `https://app-pr-${pr1.number}.${sandbox.ingress!.domain}`, `live at ${r1.outputs.url}`);
    expect(
      image ? built(r1) !== true : built(r1) === true,
      image ? `deployed the pre-pushed image ${image}; ${noBuild}` : 'image built and pushed',
    );
    expect(
      sandbox
        .ingress!.hits()
        .some((h) => h.host === `app-pr-${pr1.number}.${sandbox.ingress!.domain}` && h.status === 200),
      'the URL answered 200 through the ingress before "ready"',
    );
    const c1 = comment(pr1.number);
    expect(c1.length === 1, 'one sticky comment');
    await privateAndSeeded(sandbox, pr1.number, String(c1[0]?.body ?? ''), expect);
    expect(
      r1.leaks.length === 0,
      `no secret in logs, outputs or summary${r1.leaks.length ? `: ${r1.leaks.join(', ')}` : ''}`,
    );

    print('\n2. A push to PR #1 that changes the app');
    const sha2 = gh.pushCommit(REPO, pr1.number);
    // Images are tagged by their build inputs (issue 18): the push changes the app, so it is rebuilt.
    if (!image) writeFileSync(join(appDir, 'index.html'), '<h1>one-click payments, now with receipts</h1>\n');
    const syncEvent = pullRequestEvent('synchronize', {
      number: pr1.number,
      repository: REPO,
      headSha: sha2,
      labels: ['preview'],
    });
    const r2 = await run('pull_request', syncEvent);
    const syncRunId = runId;
    fail(r2);
    expect(r2.exitCode === 0, `redeployed (${(r2.durationMs / 1000).toFixed(1)} s)`);
    const image2 = (JSON.parse(r2.outputs.images || '{}') as Record<string, string>).app ?? '';
    if (image)
      expect(
        built(r2) !== true && image2 === image,
        `redeployed the pre-pushed image ${image2} for ${sha2.slice(0, 7)}; ${noBuild}`,
      );
    else {
      const image1 = (JSON.parse(r1.outputs.images || '{}') as Record<string, string>).app ?? '';
      expect(
        built(r2) === true && /:build-[0-9a-f]{40}$/.test(image2) && image2 !== image1,
        `image rebuilt for ${sha2.slice(0, 7)} under its new content tag: ${image2}`,
      );
    }
    const c2 = String(comment(pr1.number)[0]?.body ?? '');
    if (!image) expect(c2.includes(`\`${image2}\` (rebuilt)`), 'the comment says the image was rebuilt');

    print("\n3. PR #1's run re-run, while PR #2 is opened in parallel");
    const pr2 = gh.openPullRequest(REPO, { labels: ['preview'], title: 'Search: typo tolerance' });
    const pr2Event = pullRequestEvent('opened', {
      number: pr2.number,
      repository: REPO,
      headSha: pr2.head.sha,
      labels: ['preview'],
    });
    const [r3, r4] = await Promise.all([
      run('pull_request', syncEvent, {}, syncRunId),
      run('pull_request', pr2Event, { values: QUICK_SLEEP_VALUES }),
    ]);
    fail(r3);
    fail(r4);
    const rerun = `(${(r3.durationMs / 1000).toFixed(1)} s)`;
    expect(
      r3.exitCode === 0 && (image ? built(r3) !== true : built(r3) === false),
      image ? `re-run deployed the same pre-pushed image ${rerun}` : `re-run reused the image, no rebuild ${rerun}`,
    );
    if (!image)
      expect(
        String(gh.comments(REPO, pr1.number).find((x) => String(x.body).includes(MARKER))?.body).includes(
          '(reused, inputs unchanged)',
        ),
        "the comment says the re-run reused the image (its inputs' content tag was already pushed)",
      );
    expect(
      r4.exitCode === 0 && r4.outputs.url === `https://app-pr-${pr2.number}.${sandbox.ingress!.domain}`,
      `PR #2 live at ${r4.outputs.url}`,
    );
    expect(comment(pr1.number).length === 1 && comment(pr2.number).length === 1, 'still one comment per PR');

    print('\n3b. PR #2 idles: the KEDA HTTP add-on scales it to zero; the next visit wakes it');
    await sleepAndWake(
      sandbox,
      pr2.number,
      async () => {
        const r = await run('pull_request', pr2Event, { values: QUICK_SLEEP_VALUES, 'warm-up': 'false' });
        fail(r);
        return r;
      },
      (host, login) => throughIngress(sandbox, host, login),
      () => String(comment(pr2.number)[0]?.body ?? ''),
      expect,
      print,
    );

    print('\n4. PR #1 closed');
    gh.closePullRequest(REPO, pr1.number, { merged: true });
    const r5 = await run(
      'pull_request',
      pullRequestEvent('merged', { number: pr1.number, repository: REPO, headSha: sha2, labels: ['preview'] }),
    );
    fail(r5);
    expect(r5.exitCode === 0, 'teardown succeeded');
    for (const line of r5.summary.split('\n').filter((l) => l.startsWith('|'))) print(`  │ ${line}`);
    const report = parseReport(r5.outputs.report);
    expect(
      report.length >= 5 && report.every((x) => x.status === 'deleted' || x.status === 'already-gone'),
      `every resource removed (${report.map((x) => `${x.kind} ${x.status}`).join(', ')})`,
    );
    comment(pr1.number);

    print('\n5. PR #2 closed by a bot token: the closed webhook never fires; the hourly reaper runs');
    gh.closePullRequest(REPO, pr2.number);
    const r6 = await run('schedule', { schedule: '17 * * * *', repository: { full_name: REPO } });
    fail(r6);
    expect(r6.exitCode === 0, 'reaper succeeded');
    for (const line of r6.summary.split('\n').filter((l) => l.startsWith('|'))) print(`  │ ${line}`);
    expect(
      r6.summary.includes(`#${pr2.number}`) || r6.summary.includes(`pr-${pr2.number}`),
      `the reaper's plan names PR #${pr2.number}`,
    );

    print('\n6. Inventory');
    inventory = await takeInventory(sandbox);
    for (const [kind, left] of Object.entries(inventory))
      expect(left.length === 0, `${kind}: ${left.length}${left.length ? ` (${left.join(', ')})` : ''}`);
    sandbox.github!.assertContract();
    expect(true, "every GitHub request and response matched GitHub's OpenAPI description");
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
    print(`✘ ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await sandbox.stop();
    rmSync(work, { recursive: true, force: true });
  }
  print(
    failures.length
      ? `\nstory FAILED: ${failures.length} check(s) failed`
      : '\nstory complete: every step did what it should, nothing left behind',
  );
  return { ok: failures.length === 0, failures, inventory };
}

/**
 * The preview is private (issue 16 part 2): 401 without a login, 200 with the one deploy-helm keeps
 * in the PR's Vault path, and the comment says where it is; the app's Secret holds the PR's values.
 */
async function privateAndSeeded(
  sandbox: Sandbox,
  pr: number,
  commentBody: string,
  expect: (ok: boolean, what: string) => void,
): Promise<void> {
  const host = `app-pr-${pr}.${sandbox.ingress!.domain}`;
  const res = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/data/preview/app-${pr}`, {
    headers: { 'x-vault-token': sandbox.env.VAULT_TOKEN! },
  });
  const values = ((await res.json()) as { data?: { data?: Record<string, string> } }).data?.data ?? {};
  const user = values.PREVIEW_BASIC_AUTH_USER ?? '';
  const password = values.PREVIEW_BASIC_AUTH_PASSWORD ?? '';
  const anonymous = await throughIngress(sandbox, host);
  expect(anonymous === 401, `private: without a login ${host} answers ${anonymous}`);
  const wrong = await throughIngress(sandbox, host, `${user}:not-the-password`);
  expect(wrong === 401, `a wrong password answers ${wrong}`);
  const withLogin = password ? await throughIngress(sandbox, host, `${user}:${password}`) : 0;
  expect(
    withLogin === 200,
    `with the login kept in Vault secret/preview/app-${pr} (PREVIEW_BASIC_AUTH_USER / _PASSWORD) it answers ${withLogin}`,
  );
  expect(
    commentBody.includes(`the login is in Vault secret/preview/app-${pr}`) &&
      !commentBody.includes(password || '(none)'),
    'the comment says where the login is, never the login',
  );
  const store = sandbox.kube!.store;
  const secret = store.get(store.types.byKind('Secret')!, `preview-pr-${pr}`, `app-pr-${pr}-env`) as
    { data?: Record<string, string> } | undefined;
  const app = Object.fromEntries(
    Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  expect(
    app.DATABASE_URL === values.DATABASE_URL &&
      app.PAYMENTS_API_KEY === values.PAYMENTS_API_KEY &&
      !('PREVIEW_BASIC_AUTH_PASSWORD' in app),
    `the app's Secret app-pr-${pr}-env holds the PR's Vault values (${Object.keys(app).sort().join(', ')}), not the login`,
  );
}

/** One plain-HTTP request for `host` through the ingress stand-in's proxy; its status. */
function throughIngress(sandbox: Sandbox, host: string, login?: string): Promise<number> {
  const proxy = new URL(sandbox.ingress!.proxyUrl);
  const headers: Record<string, string> = { host };
  if (login) headers.authorization = `Basic ${Buffer.from(login, 'utf8').toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: proxy.hostname, port: proxy.port, path: `http://${host}/`, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function parseReport(text: string | undefined): Array<{ kind: string; status: string }> {
  try {
    const v = JSON.parse(text ?? '[]') as unknown;
    const items = Array.isArray(v) ? v : ((v as { results?: unknown[] }).results ?? []);
    return items as Array<{ kind: string; status: string }>;
  } catch {
    return [];
  }
}

/** What a platform team sets up once (stage secrets) and the app being previewed. */
async function prepare(
  sandbox: Sandbox,
  work: string,
  print: (l: string) => void,
): Promise<{ appDir: string; image: string }> {
  const vault = sandbox.env.VAULT_ADDR!;
  const res = await fetch(`${vault}/v1/secret/data/stage/app`, {
    method: 'POST',
    headers: { 'x-vault-token': sandbox.env.VAULT_TOKEN!, 'content-type': 'application/json' },
    body: JSON.stringify({
      data: { DATABASE_URL: 'postgres://stage-db/app', PAYMENTS_API_KEY: 'sk_stage_5f1d2c', FEATURE_ONE_CLICK: 'off' },
    }),
  });
  if (!res.ok) throw new Error(`writing stage secrets: Vault answered ${res.status}`);
  const appDir = join(work, 'app');
  const registry = sandbox.registry;
  if (!registry) {
    const image = 'registry.sandbox.test/app:prebuilt';
    print(
      `no registry or builder here (${sandbox.skipped.registry}): every deploy uses the pre-pushed image ${image}, nothing is built`,
    );
    return { appDir, image };
  }
  const base = await prebuiltImage({ registryHost: registry.host, repository: 'base/static', tag: '1' });
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'index.html'), '<h1>one-click payments</h1>\n');
  writeFileSync(join(appDir, 'Dockerfile'), `FROM ${base.image}\nCOPY index.html /srv/index.html\n`);
  return { appDir, image: '' };
}

/** Everything carrying our marks (or our names) that is still there. */
async function takeInventory(sandbox: Sandbox): Promise<Record<string, string[]>> {
  const store = sandbox.kube!.store;
  const nsType = store.types.byKind('Namespace')!;
  const secretType = store.types.byKind('Secret')!;
  const namespaces = store
    .list(nsType)
    .filter((n) => n.metadata.labels?.[LABELS.managedBy] === 'preview-fleet')
    .map((n) => n.metadata.name);
  const releases = store
    .list(secretType)
    .filter((s) => s.type === 'helm.sh/release.v1')
    .map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
  const list = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/metadata/preview?list=true`, {
    headers: { 'x-vault-token': sandbox.env.VAULT_TOKEN! },
  });
  const vaultPaths =
    list.status === 404
      ? []
      : (((await list.json()) as { data?: { keys?: string[] } }).data?.keys ?? [`(Vault answered ${list.status})`]);
  const ecr = new ECRClient({
    region: sandbox.env.AWS_REGION,
    endpoint: sandbox.env.AWS_ENDPOINT_URL_ECR,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const repos = ((await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map(
    (r) => r.repositoryName ?? '?',
  );
  ecr.destroy();
  const deployments = sandbox
    .github!.deployments(REPO)
    .filter((d) => d.state !== 'inactive')
    .map((d) => `${d.environment}#${d.id} ${d.state}`);
  return {
    'marked namespaces': namespaces,
    'helm releases': releases,
    'Vault paths under secret/preview/': vaultPaths,
    'ECR repositories': repos,
    'active GitHub deployments': deployments,
  };
}
