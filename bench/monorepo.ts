/**
 * The all-in-one action end to end (issue 18 §3), the bundle run as the runner runs it against the
 * sandbox (Kubernetes with real helm 4 / kubectl, GitHub, moto, the loopback registry and a real
 * podman build of a small image per service), the example chart with `auth.mode=none`:
 *
 * 1. label → all live for 1 service and for 6 services (goal: 6 ≤ 1.5 × 1);
 * 2. the all-in-one's own overhead per deploy event, from the 1-service run: wall time minus the
 *    build (build-push), Helm's own API span and the rollout (wait-ready), comments included
 *    (goal ≤ 1 s), and where it goes;
 * 3. teardown of the 6-service PR: wall time minus the namespace's own deletion (goal ≤ 5 s).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { prebuiltImage, systemToolsAvailable } from '@preview-fleet/sandbox/registry';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { writeSection } from './report.js';

const REPO = 'acme/shop';
const SIX = ['web', 'api', 'cart', 'search', 'docs', 'admin'];

/** Every step the all-in-one ran, from its group titles: `web · deploy-helm (ok, 1.23 s)`. */
function steps(log: string): Array<{ service: string; step: string; ms: number }> {
  return [...log.matchAll(/^::group::([a-z-]+) · ([a-z -]+) \([^,]+, ([\d.]+) s\)$/gm)].map((m) => ({
    service: m[1]!,
    step: m[2]!,
    ms: Math.round(Number(m[3]) * 1000),
  }));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface World {
  sandbox: Sandbox;
  appDir: string;
  home: string;
  /** Helm's API requests as [start, end] (performance.now()), cleared per run. */
  helmSpans: Array<[number, number]>;
  /** namespace → when its DELETE arrived and when the store no longer held it. */
  nsDeletes: Map<string, { start: number; end?: number }>;
}

async function world(dir: string): Promise<World> {
  const sandbox = await startSandbox({
    only: ['kube', 'github', 'ecr', 'registry'],
    repository: REPO,
    controllerDelayMs: 100,
  });
  const helmSpans: Array<[number, number]> = [];
  const nsDeletes = new Map<string, { start: number; end?: number }>();
  const kube = sandbox.kube!;
  const nsType = kube.store.types.byKind('Namespace')!;
  kube.addRequestHook((info, _req, res) => {
    if (/^helm\//i.test(info.userAgent)) {
      const start = performance.now();
      res.on('close', () => helmSpans.push([start, performance.now()]));
    }
    if (info.verb === 'delete' && info.type === nsType && info.name && !nsDeletes.has(info.name)) {
      const entry: { start: number; end?: number } = { start: performance.now() };
      nsDeletes.set(info.name, entry);
      const name = info.name;
      const poll = setInterval(() => {
        if (!kube.store.get(nsType, undefined, name)) {
          entry.end = performance.now();
          clearInterval(poll);
        }
      }, 10);
    }
    return false;
  });
  const base = await prebuiltImage({ registryHost: sandbox.registry!.host, repository: 'base/static', tag: '1' });
  const appDir = join(dir, 'app');
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'index.html'), '<h1>shop</h1>\n');
  writeFileSync(join(appDir, 'Dockerfile'), `FROM ${base.image}\nCOPY index.html /srv/index.html\n`);
  const home = join(dir, 'home');
  mkdirSync(home);
  return { sandbox, appDir, home, helmSpans, nsDeletes };
}

function allInOne(w: World, services: string[], event: unknown, runId: number): Promise<ActionRun> {
  const { sandbox } = w;
  return runActionProcess(repoRoot, {
    eventName: 'pull_request',
    event,
    repository: REPO,
    runId,
    timeoutMs: 900_000,
    env: { ...sandbox.env, PATH: `${dirname(toolPaths().v34.helm)}:${process.env.PATH ?? ''}`, HOME: w.home },
    secrets: [sandbox.env.GITHUB_TOKEN!],
    inputs: {
      services: services.join(', '),
      chart: join(repoRoot, 'workflows-examples/charts/preview'),
      domain: sandbox.ingress!.domain,
      'github-token': sandbox.env.GITHUB_TOKEN!,
      'aws-region': sandbox.env.AWS_REGION!,
      builder: 'podman',
      registry: sandbox.env.REGISTRY ?? '',
      context: w.appDir,
      'delete-vault-path': 'false',
      timeout: '5m',
      set: 'auth.mode=none',
    },
  });
}

async function deployEvent(w: World, services: string[], runId: number) {
  const gh = w.sandbox.github!;
  const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
  w.helmSpans.length = 0;
  gh.resetCounters();
  const r = await allInOne(
    w,
    services,
    pullRequestEvent('labeled', {
      number: pr.number,
      repository: REPO,
      headSha: pr.head.sha,
      labels: ['preview'],
      label: 'preview',
    }),
    runId,
  );
  if (r.exitCode !== 0 || r.outputs.lifecycle !== 'deploy')
    throw new Error(`all-in-one deploy of ${services.length} failed:\n${r.log.slice(-4000)}`);
  const helm = Math.max(...w.helmSpans.map((x) => x[1])) - Math.min(...w.helmSpans.map((x) => x[0]));
  return { pr: pr.number, run: r, helm: Math.round(helm), gh: gh.counters(), steps: steps(r.log) };
}

async function measure(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pf-bench-monorepo-'));
  const w = await world(dir);
  try {
    const one = await deployEvent(w, ['app'], 9101);
    const six = await deployEvent(w, SIX, 9102);
    const ratio = six.run.durationMs / one.run.durationMs;
    // How much of the six services' step time ran at once: summed step wall times over the run's wall time.
    const overlap = sum(six.steps.map((x) => x.ms)) / six.run.durationMs;
    const overlapOne = sum(one.steps.map((x) => x.ms)) / one.run.durationMs;
    const validation = Number(/inputs checked by (\d+) step process\(es\) in ([\d.]+) s/.exec(one.run.log)?.[2] ?? 0);
    const validators = Number(/inputs checked by (\d+) step/.exec(one.run.log)?.[1] ?? 0);
    const took = (step: string) => sum(one.steps.filter((x) => x.step.startsWith(step)).map((x) => x.ms));
    const build = took('build-push');
    const ready = took('wait-ready');
    const deployHelm = took('deploy-helm');
    const comments = one.steps.filter((x) => x.step.startsWith('comment-status'));
    const overhead = one.run.durationMs - build - one.helm - ready;
    const ghCalls = sum(Object.values(one.gh));
    const processes = 1 + validators + one.steps.length;
    // The first comment write runs beside the build; the last one ("ready") is on the critical path.
    const lastComment = comments.at(-1)?.ms ?? 0;
    const rest = overhead - validation * 1000 - lastComment - (deployHelm - one.helm);

    const gh = w.sandbox.github!;
    gh.closePullRequest(REPO, six.pr);
    w.nsDeletes.clear();
    w.helmSpans.length = 0;
    gh.resetCounters();
    const down = await allInOne(
      w,
      SIX,
      pullRequestEvent('closed', { number: six.pr, repository: REPO, headSha: 'x'.repeat(40), labels: ['preview'] }),
      9103,
    );
    if (down.exitCode !== 0 || down.outputs.lifecycle !== 'teardown')
      throw new Error(`teardown failed:\n${down.log.slice(-4000)}`);
    const ns = w.nsDeletes.get(`preview-pr-${six.pr}`);
    const nsMs = ns?.end !== undefined ? Math.round(ns.end - ns.start) : NaN;
    const tdOverhead = down.durationMs - nsMs;
    const tdHelm = Math.round(Math.max(...w.helmSpans.map((x) => x[1])) - Math.min(...w.helmSpans.map((x) => x[0])));
    const tdGh = gh.counters();
    const load = loadavg()[0]!.toFixed(1);

    const deployMd = `## monorepo — label → all live, 1 service and 6 services (issue 18)

The bundled all-in-one action (Node 24) on a \`labeled\` event against the sandbox: Kubernetes stand-in
(controllers 100 ms) with the real helm 4.1.4 and kubectl 1.34, the GitHub stand-in, moto for ECR and the
loopback registry, a **real podman build and push per service** (one small image: a base image + one COPY),
the example chart (\`workflows-examples/charts/preview\`: app + PostgreSQL + seed Job, \`auth.mode=none\`),
default \`max-parallel\` (6). Wall time is the action's process start → exit, everything included. Load average
at the end: ${load} (the machine is shared; absolute times are inflated, the ratio less so).

Goal: 6 services ≤ 1.5 × 1 service — **${ratio <= 1.5 ? 'met' : 'missed'}** (${ratio.toFixed(2)}×).

| services | wall time | builds (podman) | Helm API span | comment writes | GitHub REST calls |
| --- | --- | --- | --- | --- | --- |
| 1 (\`app\`) | **${s(one.run.durationMs)}** | ${one.steps.filter((x) => x.step === 'build-push').length} | ${s(one.helm)} | ${comments.length} | ${ghCalls} |
| 6 (${SIX.map((x) => `\`${x}\``).join(', ')}) | **${s(six.run.durationMs)}** | ${six.steps.filter((x) => x.step === 'build-push').length} | ${s(six.helm)} | ${six.steps.filter((x) => x.step.startsWith('comment-status')).length} | ${sum(Object.values(six.gh))} |
| **ratio** | **${ratio.toFixed(2)}×** | | | | |

The services did run side by side: their steps' wall times add up to ${overlap.toFixed(1)}× the 6-service run's wall
time (${overlapOne.toFixed(1)}× for one service, where only the first comment runs beside the build). What keeps
the ratio above the goal here is CPU: six podman builds, six helm and the stand-ins' controllers share 2 cores
with the other jobs on this machine (load average ${load}), so each step takes longer when six run at once — Helm's
API span alone grew from ${s(one.helm)} to ${s(six.helm)}. On a runner with idle cores the overlap is what sets the
wall time; here it is the machine.`;

    const overheadMd = `## all-in-one-overhead — the all-in-one's own time per deploy event (issue 18)

From the 1-service run above: wall time minus the build (build-push: podman build + push and that step's own
ECR calls), Helm's own API span (first to last request from helm as the stand-in saw them) and the rollout
(wait-ready: rollout status and the HTTPS probe), comments included.
Goal: ≤ 1 s — **${overhead <= 1000 ? 'met' : 'missed'}** (${s(overhead)}).

| part | time | |
| --- | --- | --- |
| wall time | ${s(one.run.durationMs)} | |
| − build-push | ${s(build)} | |
| − Helm's API span | ${s(one.helm)} | |
| − wait-ready (rollout) | ${s(ready)} | |
| **= overhead** | **${s(overhead)}** | |
| of which: input checks (${validators} step processes at once) | ${s(validation * 1000)} | |
| of which: deploy-helm around Helm (its process, PR re-check, namespace + guardrails, helm's own start/render) | ${s(deployHelm - one.helm)} | |
| of which: the last comment write (comment-status "ready": process + GitHub calls) | ${s(lastComment)} | the other ${comments.length - 1} ran beside the build |
| of which: the rest (the all-in-one's own start, routing, spawning steps) | ${s(rest)} | |

Node processes started: ${processes} (the all-in-one, ${validators} input checks, ${one.steps.length} steps); each costs
~60 ms of start-up (see cold-start). GitHub REST calls in the run: ${ghCalls} (${Object.entries(one.gh)
      .sort()
      .map(([k, n]) => `${k}×${n}`)
      .join(', ')}).

What was cut (issue 18): the input checks start one process per step for all services (six services: 4
processes, were 19 — the 6-service run went from 3.55× and 2.87× of one service to 1.80× at a similar load), and
teardown and reap no longer start a check before their one step. Why the goal is still missed: every part here is
a Node or helm/kubectl process start and its CPU, on 2 cores at a load average near 20, so each costs 5–10× its
idle time (deploy-overhead measured deploy-helm + wait-ready's own overhead at ~1.1 s on a quieter machine).
Under 1 s on any machine needs fewer processes: running the steps' code inside the all-in-one's process instead
of as seven bundles (one start, one input check), which this issue did not do — the steps stay the same bundles
a hand-wired workflow runs.`;

    const teardownMd = `## teardown-overhead — closed → everything gone, beyond the namespace's own deletion (issue 18)

The 6-service PR above closed, the bundled all-in-one on the \`closed\` event: six releases, the namespace (the
stand-in runs its finalizers with a 100 ms controller delay, removing its objects), the ECR repositories, the
deployments and the comment. The namespace's own deletion is from its DELETE arriving to the stand-in's store no
longer holding it.
Goal: overhead ≤ 5 s — **${tdOverhead <= 5000 ? 'met' : 'missed'}** (${s(tdOverhead)}).

| wall time | namespace's own deletion | overhead |
| --- | --- | --- |
| ${s(down.durationMs)} | ${s(nsMs)} | **${s(tdOverhead)}** |

Inside the overhead: Helm's API span (six
\`helm uninstall\`, first to last request) ${s(tdHelm)}; GitHub REST calls ${sum(Object.values(tdGh))}
(${Object.entries(tdGh)
      .sort()
      .map(([k, n]) => `${k}×${n}`)
      .join(', ')}); the rest is process starts (the all-in-one, teardown, six helm, kubectl) and ECR. The all-in-one no
longer starts a separate input check before its one teardown step (it checks its own inputs before it acts): in
the run before that change this overhead measured 18.1 s at a similar load.`;
    return [deployMd, overheadMd, teardownMd];
  } finally {
    await w.sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<string> {
  const tools = systemToolsAvailable();
  if (!tools.podman || !tools.registry) {
    const md = `## monorepo — label → all live, 1 service and 6 services\n\nNot measured: ${tools.reason}.`;
    writeSection('monorepo', md);
    return md;
  }
  const [deployMd, overheadMd, teardownMd] = await measure();
  writeSection('monorepo', deployMd!);
  writeSection('all-in-one-overhead', overheadMd!);
  writeSection('teardown-overhead', teardownMd!);
  return [deployMd, overheadMd, teardownMd].join('\n\n');
}
