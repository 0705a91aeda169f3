/**
 * One scenario per action: how the fault matrix prepares a PR for it, runs the bundled action the
 * way the runner does, and what "complete" means when the run succeeds. After a failed run the
 * cell runner checks that what is left is absent or carries our marks; `recover` is the proof that
 * the next run (or teardown / the reaper) really finishes or removes it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullRequestEvent } from '../events.js';
import { runActionProcess, type ActionRun } from '../run-action-process.js';
import { actionsRoot, deployChart, REPOSITORY, residueOf, STAGE, type MatrixWorld } from './world.js';

export const ACTIONS = [
  'comment-status',
  'seed-vault',
  'build-push',
  'deploy-helm',
  'wait-ready',
  'teardown',
  'reap-orphans',
] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface CellContext {
  pr: number;
  sha: string;
  /** wait-ready's namespace. */
  namespace?: string;
}

export interface Scenario {
  /** Makes the world the action expects (a PR, a deployed preview, an orphan, …). */
  prepare(w: MatrixWorld): Promise<CellContext>;
  run(w: MatrixWorld, c: CellContext, inputs: Record<string, string>): Promise<ActionRun>;
  /** Problems when the run succeeded but the result is not whole. */
  complete(w: MatrixWorld, c: CellContext, r: ActionRun): Promise<string[]>;
  /** After a clean failure: runs what would run next (fault-free) and returns problems if it does not finish the job. */
  recover(w: MatrixWorld, c: CellContext): Promise<string[]>;
}

const dir = (name: ActionName): string => join(actionsRoot, name);
const prEvent = (c: CellContext, action = 'synchronize') =>
  pullRequestEvent(action, { number: c.pr, repository: REPOSITORY, headSha: c.sha, labels: ['preview'] });

function runPr(
  w: MatrixWorld,
  name: ActionName,
  c: CellContext,
  inputs: Record<string, string>,
  o: { action?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<ActionRun> {
  return runActionProcess(dir(name), {
    inputs,
    event: prEvent(c, o.action),
    eventName: 'pull_request',
    repository: REPOSITORY,
    env: { ...w.env, ...o.env },
    cwd: o.cwd,
    secrets: [w.vaultToken, w.gh.token, STAGE.DB_URL, STAGE.API_KEY],
    timeoutMs: 120_000,
  });
}

const ok = (r: ActionRun, what: string): string[] =>
  r.exitCode === 0 ? [] : [`${what} exited ${r.exitCode}: ${r.annotations.map((a) => a.message).join(' | ')}`];

async function allGone(w: MatrixWorld, pr: number): Promise<string[]> {
  const r = await residueOf(w, pr);
  return (['namespace', 'vault', 'ecr'] as const).filter((k) => r[k] !== 'absent').map((k) => `${k} still there`);
}

let keeper: CellContext | undefined;
/** One open, labelled, deployed PR whose preview no reaper run may touch (checked after every reaper cell). */
async function keeperPr(w: MatrixWorld): Promise<CellContext> {
  keeper ??= await w.deploy();
  return keeper;
}
async function keeperIntact(w: MatrixWorld): Promise<string[]> {
  const k = await keeperPr(w);
  const r = await residueOf(w, k.pr);
  return (['namespace', 'vault', 'ecr'] as const)
    .filter((kind) => r[kind] !== 'marked')
    .map((kind) => `open PR #${k.pr}'s ${kind} was touched (${r[kind]})`);
}

let orphanPr = 9000;
let readyCount = 0;

const workspace = ((): string => {
  const d = mkdtempSync(join(tmpdir(), 'pf-fault-matrix-ws-'));
  writeFileSync(join(d, 'hello.txt'), 'hello\n');
  writeFileSync(join(d, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  return d;
})();

export const SCENARIOS: Record<ActionName, Scenario> = {
  'comment-status': {
    prepare: async (w) => w.openPr(),
    run: (w, c, inputs) =>
      runPr(w, 'comment-status', c, {
        'github-token': w.gh.token,
        state: 'building',
        'fail-on-error': 'true',
        ...inputs,
      }),
    async complete(w, c) {
      const r = await residueOf(w, c.pr);
      const deployments = w.gh.deployments(REPOSITORY).filter((d) => d.environment === `preview/pr-${c.pr}`);
      return [
        ...(r.comments === 1 ? [] : [`${r.comments} status comments, want 1`]),
        ...(deployments.length > 0 ? [] : ['no deployment']),
      ];
    },
    recover: async (w, c) => ok(await SCENARIOS['comment-status'].run(w, c, {}), 'the next comment-status'),
  },
  'seed-vault': {
    prepare: async (w) => w.openPr(),
    run: (w, c, inputs) => runPr(w, 'seed-vault', c, { ...w.inputs, ...inputs }),
    async complete(w, c) {
      const r = await residueOf(w, c.pr);
      const data = w.vault.readRaw('secret', `preview/app-${c.pr}`)?.data as Record<string, string> | undefined;
      return [
        ...(r.vault === 'marked' ? [] : [`Vault path ${r.vault}`]),
        ...(data?.DB_URL === STAGE.DB_URL && data.API_KEY === STAGE.API_KEY ? [] : ['Vault copy differs from stage']),
      ];
    },
    async recover(w, c) {
      const problems = ok(await SCENARIOS['seed-vault'].run(w, c, {}), 'the next seed-vault');
      return [...problems, ...(await SCENARIOS['seed-vault'].complete(w, c, undefined as never))];
    },
  },
  'build-push': {
    async prepare(w) {
      const c = w.openPr();
      await w.pushImage(`app-preview-${c.pr}`, `preview-${c.sha}`);
      return c;
    },
    run: (w, c, inputs) =>
      runPr(
        w,
        'build-push',
        c,
        // The cells are about ECR and the registry answering badly, not about building: the image is
        // pre-pushed under the head-SHA tag, so tagging by it alone (content-tag '') finds it and
        // needs no builder. Content tags have their own tests (build-push's monorepo suite).
        { registry: w.registry!.proxy.host, builder: 'podman', 'content-tag': '', ...inputs },
        { cwd: workspace, env: { AWS_REGION: w.moto.region } },
      ),
    async complete(w, c, r) {
      const res = await residueOf(w, c.pr);
      return [
        ...(res.ecr === 'marked' ? [] : [`ECR repository ${res.ecr}`]),
        ...(r.outputs.image === `${w.registry!.proxy.host}/app-preview-${c.pr}:preview-${c.sha}` ? [] : ['no image']),
      ];
    },
    async recover(w, c) {
      const r = await SCENARIOS['build-push'].run(w, c, {});
      return [...ok(r, 'the next build-push'), ...(await SCENARIOS['build-push'].complete(w, c, r))];
    },
  },
  'deploy-helm': {
    async prepare(w) {
      const c = w.openPr();
      await w.orphan(c.pr, { kinds: ['vault'] }); // seed-vault's marked copy, which deploy-helm reads
      return c;
    },
    run: (w, c, inputs) =>
      runPr(w, 'deploy-helm', c, {
        chart: deployChart,
        'github-token': w.gh.token,
        domain: 'preview.example.com',
        timeout: '60s',
        ...w.inputs,
        ...inputs,
      }),
    async complete(w, c) {
      const r = await residueOf(w, c.pr);
      return [
        ...(r.namespace === 'marked' ? [] : [`namespace ${r.namespace}`]),
        ...(w.releases(`preview-pr-${c.pr}`).includes(`app-pr-${c.pr}`) ? [] : ['release not deployed']),
      ];
    },
    async recover(w, c) {
      const r = await SCENARIOS['deploy-helm'].run(w, c, {});
      return [...ok(r, 'the next deploy-helm'), ...(await SCENARIOS['deploy-helm'].complete(w, c, r))];
    },
  },
  'wait-ready': {
    async prepare(w) {
      const namespace = `fm-ready-${++readyCount}`;
      w.readyDeployment(namespace);
      return { pr: 0, sha: '', namespace };
    },
    run: (w, c, inputs) =>
      runActionProcess(dir('wait-ready'), {
        inputs: { namespace: c.namespace!, timeout: '40s', ...inputs },
        env: w.env,
        timeoutMs: 90_000,
      }),
    complete: async () => [],
    recover: async (w, c) => ok(await SCENARIOS['wait-ready'].run(w, c, {}), 'the next wait-ready'),
  },
  teardown: {
    async prepare(w) {
      const c = await w.deploy();
      w.gh.closePullRequest(REPOSITORY, c.pr);
      return c;
    },
    run: (w, c, inputs) => runPr(w, 'teardown', c, { ...w.inputs, ...inputs }, { action: 'closed' }),
    async complete(w, c) {
      const r = await residueOf(w, c.pr);
      return [...(await allGone(w, c.pr)), ...(r.comments <= 1 ? [] : [`${r.comments} comments`])];
    },
    async recover(w, c) {
      const r = await SCENARIOS.teardown.run(w, c, {});
      return [...ok(r, 'the next teardown'), ...(await allGone(w, c.pr))];
    },
  },
  'reap-orphans': {
    async prepare(w) {
      await keeperPr(w);
      const pr = ++orphanPr; // no such PR on GitHub: "missing" once GitHub says 404
      await w.orphan(pr);
      return { pr, sha: '' };
    },
    run: (w, _c, inputs) =>
      runActionProcess(dir('reap-orphans'), {
        inputs: { ...w.inputs, 'max-deletions': '100', ...inputs },
        event: {},
        eventName: 'schedule',
        repository: REPOSITORY,
        env: w.env,
        secrets: [w.vaultToken, w.gh.token],
        timeoutMs: 120_000,
      }),
    complete: async (w, c) => [...(await allGone(w, c.pr)), ...(await keeperIntact(w))],
    async recover(w, c) {
      const before = await keeperIntact(w);
      const r = await SCENARIOS['reap-orphans'].run(w, c, {});
      return [...before, ...ok(r, 'the next reaper run'), ...(await SCENARIOS['reap-orphans'].complete(w, c, r))];
    },
  },
};
