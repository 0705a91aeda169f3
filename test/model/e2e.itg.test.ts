/**
 * Issue 17 §2: random event sequences (3–6 events each) drive the *bundled* all-in-one action
 * (root dist/index.js under Node 24, `npm run build` first) with real helm — 3 and 4, alternating
 * per sequence — and kubectl against the sandbox: two repositories sharing one Kubernetes stand-in,
 * one Vault and one ECR. Deploy runs are sometimes SIGKILLed midway (a lost runner) or cancelled
 * as the runner cancels (SIGINT, then SIGKILL after the grace period), teardown webhooks are
 * sometimes lost, the reaper runs. The same invariants as the in-process model (invariants.ts)
 * are checked after every event, and after a final reaper run nothing of a closed or unlabelled
 * PR is left. E2E_SEQUENCES sets the count (a soak), FC_SEED replays the same sequences.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { e2eInventory, type E2eInventory } from './e2e-inventory.js';

const REPOS = ['acme/web', 'acme/api'] as const;
/**
 * Per CI run. Measured on the shared 2-core machine: 12 sequences (53 events) in 310 s at
 * concurrency 4, so 12 fit the ~5 minute budget; issue 17 asks ≥ 50, which is E2E_SEQUENCES=50
 * (about 20 minutes there) — see docs/testing.md.
 */
const SEQUENCES = Number(process.env.E2E_SEQUENCES ?? 12);
const CONCURRENCY = Number(process.env.E2E_CONCURRENCY ?? 4);
const IMAGE = 'registry.sandbox.test/app:prebuilt';

type Stop = { how: 'kill' | 'cancel'; afterMs: number } | null | undefined;
type Event =
  | { kind: 'deploy'; stop: Stop }
  | { kind: 'push'; stop: Stop }
  | { kind: 'close' | 'unlabel'; webhook: 'delivered' | 'lost' }
  | { kind: 'reap' };

interface Pr {
  repo: string;
  pr: number;
  open: boolean;
  labelled: boolean;
  /** The last deploy run exited 0 and nothing closed or unlabelled it since. */
  live: boolean;
}

let sandbox: Sandbox;
let work: string;
const prs: Pr[] = [];
let runIds = 7000;

beforeAll(async () => {
  sandbox = await startSandbox({ repository: REPOS[0], controllerDelayMs: 100 });
  work = mkdtempSync(join(tmpdir(), 'pf-model-e2e-'));
  const res = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/data/stage/app`, {
    method: 'POST',
    headers: { 'x-vault-token': sandbox.env.VAULT_TOKEN!, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { DATABASE_URL: 'postgres://stage-db/app' } }),
  });
  expect(res.ok).toBe(true);
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function run(repo: string, eventName: string, event: unknown, helm: 3 | 4, stop?: Stop): Promise<ActionRun> {
  const tools = toolPaths()[helm === 3 ? 'v31' : 'v34'];
  return runActionProcess(repoRoot, {
    eventName,
    event,
    repository: repo,
    runId: ++runIds,
    timeoutMs: 240_000,
    ...(stop ? { stop } : {}),
    env: {
      ...sandbox.env,
      GITHUB_REPOSITORY: repo,
      PATH: `${dirname(tools.helm)}:${process.env.PATH ?? ''}`,
      HOME: work,
    },
    secrets: [sandbox.env.VAULT_TOKEN!, sandbox.github!.token],
    inputs: {
      services: 'app',
      chart: join(repoRoot, 'workflows-examples/charts/preview'),
      domain: sandbox.ingress!.domain,
      'vault-addr': sandbox.env.VAULT_ADDR!,
      'auth-method': 'token',
      token: sandbox.env.VAULT_TOKEN!,
      'github-token': sandbox.github!.token,
      'aws-region': sandbox.env.AWS_REGION!,
      image: IMAGE,
      // One cluster, one Vault, one ECR for two repositories: every name carries the repository.
      namespace: '{{repo}}-pr-{{number}}',
      host: '{{repo}}-{{service}}-pr-{{number}}',
      'target-path': 'preview/{{repo}}-{{service}}-{{number}}',
      repository: '{{repo}}-{{service}}-preview-{{number}}',
      timeout: '2m',
      'stuck-after': '1s',
    },
  });
}

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('deploy' as const, 'push' as const),
      stop: fc.option(
        fc.record({
          how: fc.constantFrom('kill' as const, 'cancel' as const),
          afterMs: fc.integer({ min: 800, max: 6000 }),
        }),
        { freq: 3 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('close' as const, 'unlabel' as const),
      webhook: fc.constantFrom('delivered' as const, 'delivered' as const, 'lost' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reap' as const }) },
);

const label = (e: Event): string =>
  e.kind === 'reap'
    ? 'reaper runs'
    : 'webhook' in e
      ? `${e.kind} (${e.webhook === 'lost' ? 'webhook lost' : 'teardown run'})`
      : `${e.kind}${e.stop ? ` (${e.stop.how === 'kill' ? 'SIGKILL' : 'SIGINT, then SIGKILL'} after ${e.stop.afterMs} ms)` : ''}`;

/** Live previews keep everything; nothing of another repository was touched (the stage secrets, a foreign namespace). */
function checkLive(inv: E2eInventory, story: string[]): void {
  for (const p of prs.filter((x) => x.open && x.labelled && x.live)) {
    const repoName = p.repo.split('/')[1];
    const ns = `${repoName}-pr-${p.pr}`;
    const missing = [
      inv.namespaces.includes(ns) ? '' : `namespace ${ns}`,
      inv.releases.includes(`${ns}/app-pr-${p.pr}`) ? '' : `release ${ns}/app-pr-${p.pr}`,
      inv.vaultPaths.includes(`${repoName}-app-${p.pr}`) ? '' : `Vault path preview/${repoName}-app-${p.pr}`,
    ].filter(Boolean);
    expect(missing, `live preview of ${p.repo}#${p.pr} lost ${missing.join(', ')}\n${story.join('\n')}`).toEqual([]);
  }
  expect(inv.stageSecrets, 'the stage secrets were touched').toBe(true);
}

/** The user removes the label (the stand-in's REST endpoint, as the web UI would). */
async function removeLabel(repo: string, pr: number): Promise<void> {
  const res = await fetch(`${sandbox.github!.url}/repos/${repo}/issues/${pr}/labels/preview`, {
    method: 'DELETE',
    headers: { authorization: `token ${sandbox.github!.token}` },
  });
  expect(res.status).toBe(200);
}

async function playSequence(index: number, events: Event[]): Promise<string[]> {
  const gh = sandbox.github!;
  const helm: 3 | 4 = index % 2 === 0 ? 3 : 4;
  const repo = REPOS[index % REPOS.length]!;
  const opened = gh.openPullRequest(repo, { labels: ['preview'] });
  const p: Pr = { repo, pr: opened.number, open: true, labelled: true, live: false };
  prs.push(p);
  const story = [`sequence ${index} (helm ${helm}): open ${repo}#${p.pr} with the label`];
  const prEvent = (action: string) =>
    pullRequestEvent(action, {
      number: p.pr,
      repository: repo,
      headSha: String(gh.pull(repo, p.pr)!.head.sha),
      labels: gh.labels(repo, p.pr),
      ...(action === 'unlabeled' ? { label: 'preview' } : {}),
    });
  for (const e of [{ kind: 'deploy', stop: undefined } as Event, ...events]) {
    let outcome = '';
    if (e.kind === 'deploy' || e.kind === 'push') {
      if (!p.open || !p.labelled) continue; // no run starts for a closed or unlabelled PR
      if (e.kind === 'push') gh.pushCommit(repo, p.pr);
      const r = await run(repo, 'pull_request', prEvent(e.kind === 'push' ? 'synchronize' : 'opened'), helm, e.stop);
      const wanted = p.open && p.labelled;
      if (r.exitCode === 0 && !e.stop) p.live = wanted;
      else if (r.exitCode !== 0 && !e.stop) outcome = ` → failed: ${r.log.split('\n').slice(-3).join(' | ')}`;
      outcome ||= ` → exit ${r.exitCode}`;
    } else if (e.kind === 'close' || e.kind === 'unlabel') {
      if (!p.open || (e.kind === 'unlabel' && !p.labelled)) continue;
      if (e.kind === 'close') gh.closePullRequest(repo, p.pr);
      else await removeLabel(repo, p.pr);
      if (e.kind === 'close') p.open = false;
      else p.labelled = false;
      p.live = false;
      if (e.webhook === 'delivered') {
        const r = await run(repo, 'pull_request', prEvent(e.kind === 'close' ? 'closed' : 'unlabeled'), helm);
        outcome = ` → exit ${r.exitCode}`;
      }
    } else {
      const r = await run(repo, 'schedule', { schedule: '17 * * * *', repository: { full_name: repo } }, helm);
      outcome = ` → exit ${r.exitCode}`;
    }
    story.push(`  ${label(e)}${outcome}`);
    checkLive(await e2eInventory(sandbox), story);
  }
  return story;
}

describe(`${SEQUENCES} random sequences through the bundled all-in-one action (helm 3 and 4, kills, lost webhooks)`, () => {
  it('keeps every live preview, touches nothing foreign, and leaves nothing of a closed or unlabelled PR', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    const all = fc.sample(fc.array(eventArb, { minLength: 2, maxLength: 4 }), { numRuns: SEQUENCES, seed });
    const stories: string[][] = [];
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < all.length) {
          const i = next++;
          stories.push(await playSequence(i, all[i]!));
        }
      }),
    );
    // The end: every webhook that will ever arrive has; the scheduled reaper runs on both repositories.
    for (const repo of REPOS) {
      const r = await run(repo, 'schedule', { schedule: '17 * * * *', repository: { full_name: repo } }, 4);
      expect(r.exitCode, r.log.split('\n').slice(-20).join('\n')).toBe(0);
    }
    const inv = await e2eInventory(sandbox);
    const text = `seed ${seed} (FC_SEED=${seed} reproduces the sequences)\n${stories.map((s) => s.join('\n')).join('\n')}`;
    checkLive(inv, [text]);
    for (const p of prs.filter((x) => !x.open || !x.labelled)) {
      const repoName = p.repo.split('/')[1];
      const left = [
        ...inv.namespaces.filter((n) => n === `${repoName}-pr-${p.pr}`),
        ...inv.vaultPaths.filter((v) => v === `${repoName}-app-${p.pr}`),
        ...inv.ecr.filter((r) => r === `${repoName}-app-preview-${p.pr}`),
        ...inv.activeDeployments
          .filter((d) => d.repo === p.repo && d.environment === `preview/pr-${p.pr}`)
          .map((d) => d.environment),
      ];
      expect(
        left,
        `${p.repo}#${p.pr} is ${p.open ? 'unlabelled' : 'closed'} but still has ${left.join(', ')}\n${text}`,
      ).toEqual([]);
    }
    console.log(
      `${SEQUENCES} sequences, ${stories.flat().length} events, ${((Date.now() - started) / 1000).toFixed(0)} s\n${text}`,
    );
  }, 900_000);
});
