/**
 * The reference model and its commands (issue 17 §1): PRs across two repositories (open/closed,
 * labelled, head SHA, deploy runs in flight) and every event the lifecycle meets — open, push,
 * label, unlabel, close, reopen, merge, a deploy run's start / next step / finish / cancel /
 * crash at a step boundary, a teardown run (or its webhook lost: it simply never runs), the
 * reaper, the clock passing the warning window / TTL / stale thresholds, and one injected fault.
 * Each command's `toString` is one line of the story a failing sequence prints.
 */
import type fc from 'fast-check';
import { teardownPreview, type ReaperPorts } from '@preview-fleet/core/lifecycle';
import { checkInvariants } from './invariants.js';
import { planFor, POLICY, TIME_STEPS } from './names.js';
import { DEPLOY_STEPS, type DeployRun, type Fault, type World } from './world.js';
import { reapOnce, syncFromGitHub } from './reaper-run.js';
import { worldTeardownPorts } from './world-ports.js';

export const REPOS = ['acme/web', 'acme/api'] as const;
const MAX_PRS = 4;
const JOB_LIMIT_MS = 6 * 3_600_000;

export interface ModelPr {
  repo: string;
  pr: number;
  open: boolean;
  labelled: boolean;
  merged?: boolean;
  /** Set when a deploy run reached "ready": until when nothing of it may go missing. */
  live?: { expiresAt: number };
}

export interface Model {
  prs: ModelPr[];
  /** Run ids in flight (the runs themselves live in the real world). */
  runs: number[];
}

/** The system: the world plus the reaper's ports (replaceable, for the broken-reaper test). */
export interface Real {
  world: World;
  runs: Map<number, DeployRun>;
  reaperPorts: (w: World, repository: string) => ReaperPorts;
}

export type Cmd = fc.AsyncCommand<Model, Real>;

const prAt = (m: Model, i: number): ModelPr | undefined => m.prs[i % Math.max(1, m.prs.length)];
const name = (p: ModelPr | undefined) => (p ? `${p.repo}#${p.pr}` : '?');

abstract class Base implements Cmd {
  protected story = '';
  abstract check(m: Readonly<Model>): boolean;
  protected abstract act(m: Model, r: Real): Promise<void>;
  async run(m: Model, r: Real): Promise<void> {
    await this.act(m, r);
    checkInvariants(m, r.world);
  }
  toString(): string {
    return this.story || this.describe();
  }
  protected abstract describe(): string;
}

/** A GitHub event on one PR: changes GitHub's state (what the user or GitHub did). */
export class PrEvent extends Base {
  constructor(
    readonly kind: 'push' | 'label' | 'unlabel' | 'close' | 'reopen' | 'merge',
    readonly i: number,
  ) {
    super();
  }
  describe() {
    return `${this.kind} PR[${this.i}]`;
  }
  check(m: Readonly<Model>) {
    const p = prAt(m as Model, this.i);
    if (!p) return false;
    if (this.kind === 'reopen') return !p.open && !p.merged;
    if (this.kind === 'label') return !p.labelled;
    if (this.kind === 'unlabel') return p.labelled;
    return p.open;
  }
  async act(m: Model, r: Real) {
    const p = prAt(m, this.i)!;
    const issue = r.world.issue(p.repo, p.pr)!;
    const w = r.world;
    this.story = `${this.kind} ${name(p)}`;
    switch (this.kind) {
      case 'push':
        w.push(p.repo, issue);
        break;
      case 'label':
        issue.labels.push(POLICY.label);
        p.labelled = true;
        break;
      case 'unlabel':
        issue.labels = issue.labels.filter((l) => l !== POLICY.label);
        p.labelled = false;
        p.live = undefined;
        break;
      case 'reopen':
        issue.state = 'open';
        p.open = true;
        break;
      default:
        issue.state = 'closed';
        if (this.kind === 'merge') issue.pull!.merged = p.merged = true;
        p.open = false;
        p.live = undefined;
    }
    issue.updatedAt = w.clock.now();
    // opened / synchronize / reopened / labeled on an opted-in PR start a deploy run.
    if (['push', 'label', 'reopen'].includes(this.kind) && p.open && p.labelled)
      this.story += ` → ${startRun(m, r, p)}`;
  }
}

export class Open extends Base {
  constructor(
    readonly repo: number,
    readonly labelled: boolean,
  ) {
    super();
  }
  describe() {
    return `open a PR on ${REPOS[this.repo]}${this.labelled ? ' with the label' : ''}`;
  }
  check(m: Readonly<Model>) {
    return m.prs.length < MAX_PRS;
  }
  async act(m: Model, r: Real) {
    const repo = REPOS[this.repo]!;
    const issue = r.world.openPullRequest(repo, this.labelled);
    const p: ModelPr = { repo, pr: issue.number, open: true, labelled: this.labelled };
    m.prs.push(p);
    this.story = `open ${repo}#${issue.number}${this.labelled ? ` with the label → ${startRun(m, r, p)}` : ''}`;
  }
}

/** A deploy run starts for the PR; cancel-in-progress drops the PR's older run where it stands. */
function startRun(m: Model, r: Real, p: ModelPr): string {
  for (const id of [...m.runs]) {
    const old = r.runs.get(id)!;
    if (old.repo === p.repo && old.pr === p.pr) {
      m.runs.splice(m.runs.indexOf(id), 1);
      r.runs.delete(id);
    }
  }
  const run = r.world.startRun(p.repo, p.pr);
  r.runs.set(run.id, run);
  m.runs.push(run.id);
  return `run ${run.id} starts at ${run.sha.slice(0, 7)}`;
}

/** A re-run (or a run whose event came late): a deploy run starts for an open, labelled PR. */
export class DeployStart extends Base {
  constructor(readonly i: number) {
    super();
  }
  describe() {
    return `deploy run starts for PR[${this.i}]`;
  }
  check(m: Readonly<Model>) {
    const p = prAt(m as Model, this.i);
    return !!p && p.open && p.labelled;
  }
  async act(m: Model, r: Real) {
    const p = prAt(m, this.i)!;
    this.story = `re-run for ${name(p)}: ${startRun(m, r, p)}`;
  }
}

/** One step of a run in flight ('step'), or every remaining step ('finish'). */
export class DeployAdvance extends Base {
  constructor(
    readonly j: number,
    readonly all: boolean,
  ) {
    super();
  }
  describe() {
    return `${this.all ? 'finish' : 'next step of'} run[${this.j}]`;
  }
  check(m: Readonly<Model>) {
    return m.runs.length > 0;
  }
  async act(m: Model, r: Real) {
    const id = m.runs[this.j % m.runs.length]!;
    const run = r.runs.get(id)!;
    const done: string[] = [];
    do {
      const step = DEPLOY_STEPS[run.next]!;
      const out = await r.world.step(run);
      done.push(out === 'ok' ? step : `${step} ${out}`);
      if (out === 'ready') {
        const p = m.prs.find((x) => x.repo === run.repo && x.pr === run.pr)!;
        p.live = { expiresAt: run.deployedAt! + POLICY.ttlMs };
      }
    } while (this.all && run.next < DEPLOY_STEPS.length);
    if (run.next >= DEPLOY_STEPS.length) {
      m.runs.splice(m.runs.indexOf(id), 1);
      r.runs.delete(id);
    }
    this.story = `run ${id} (${run.repo}#${run.pr}): ${done.join(' → ')}`;
  }
}

/** The run is cancelled (a newer push) or its job killed between two steps: what it made stays. */
export class DeployStop extends Base {
  constructor(
    readonly j: number,
    readonly how: 'cancelled' | 'crashed',
  ) {
    super();
  }
  describe() {
    return `run[${this.j}] ${this.how}`;
  }
  check(m: Readonly<Model>) {
    return m.runs.length > 0;
  }
  async act(m: Model, r: Real) {
    const id = m.runs[this.j % m.runs.length]!;
    const run = r.runs.get(id)!;
    m.runs.splice(m.runs.indexOf(id), 1);
    r.runs.delete(id);
    this.story = `run ${id} (${run.repo}#${run.pr}) ${this.how} before ${DEPLOY_STEPS[run.next]}`;
  }
}

/** The closed / unlabeled webhook arrives and the teardown run removes the PR's preview. */
export class Teardown extends Base {
  constructor(readonly i: number) {
    super();
  }
  describe() {
    return `teardown run for PR[${this.i}]`;
  }
  check(m: Readonly<Model>) {
    const p = prAt(m as Model, this.i);
    return !!p && (!p.open || !p.labelled);
  }
  async act(m: Model, r: Real) {
    const p = prAt(m, this.i)!;
    const n = planFor(p.repo, p.pr);
    const report = await teardownPreview(worldTeardownPorts(r.world, p.repo), {
      pr: p.pr,
      targets: [
        {
          service: 'app',
          release: n.release,
          namespace: n.namespace,
          vaultPath: n.vaultPath,
          ecrRepository: n.ecrRepository,
        },
      ],
      environment: n.environment,
    });
    const failed = report.results.filter((x) => x.status === 'failed').map((x) => x.kind);
    this.story = `teardown run for ${name(p)}${failed.length ? ` (failed: ${failed.join(', ')})` : ''}`;
  }
}

export class Reap extends Base {
  constructor(readonly repo: number) {
    super();
  }
  describe() {
    return `reaper runs on ${REPOS[this.repo]}`;
  }
  check() {
    return true;
  }
  async act(m: Model, r: Real) {
    const repo = REPOS[this.repo]!;
    this.story = `reaper on ${repo}: ${await reapOnce(r, repo)}`;
    syncFromGitHub(m, r.world);
  }
}

export class Advance extends Base {
  constructor(readonly by: keyof typeof TIME_STEPS) {
    super();
  }
  describe() {
    return `clock +${this.by}`;
  }
  check() {
    return true;
  }
  async act(m: Model, r: Real) {
    r.world.clock.advance(TIME_STEPS[this.by]);
    this.story = `clock +${this.by} → ${new Date(r.world.clock.now()).toISOString().slice(0, 16)}`;
    // GitHub cancels a job after 6 hours (jobs.<id>.timeout-minutes' ceiling): no run outlives a longer wait.
    if (TIME_STEPS[this.by] > JOB_LIMIT_MS && m.runs.length) {
      this.story += ` (runs ${m.runs.join(', ')} hit the 6 h job limit)`;
      for (const id of m.runs.splice(0)) r.runs.delete(id);
    }
  }
}

export class InjectFault extends Base {
  constructor(readonly fault: Fault) {
    super();
  }
  describe() {
    const f = this.fault;
    return f.calls
      ? `fault: ${f.op} down, its next ${f.calls} calls answer ${f.answer}`
      : `fault: next ${f.op} answers ${f.answer}`;
  }
  check() {
    return true;
  }
  async act(_m: Model, r: Real) {
    r.world.faults.push({ ...this.fault });
  }
}
