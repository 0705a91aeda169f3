/**
 * "Ready" as the PR comment means it: every workload rolled out (or the Argo CD Application
 * Synced and Healthy), then the URL answering with an expected status, then the optional smoke
 * command passing — with the time spent in each phase.
 */
import { readFile, rm } from 'node:fs/promises';
import { type Clock, systemClock } from '../clock.js';
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import { summaryTable } from '../runtime/summary.js';
import { runCommand } from '../exec.js';
import { describeApplication, waitForApplication, type ApplicationRef } from './argocd.js';
import { collectDiagnostics, renderDiagnostics } from './diagnostics.js';
import { junitCounts, parseJUnit, renderJUnit, type JUnitResult } from './junit.js';
import { probeUntilReady, type ProbeOptions, type StatusRange } from './probe.js';
import { listWorkloads, requireWorkloads, waitForRollouts, type WorkloadKind } from './rollout.js';
import { listSleepTargets } from './scale-to-zero.js';
import type { KubeTools } from './tools.js';

export interface ReadyOptions {
  namespace: string;
  kinds: WorkloadKind[];
  selector?: string;
  url?: URL;
  headers?: Record<string, string>;
  expect: StatusRange[];
  timeoutMs: number;
  /** PREVIEW_URL for the smoke command (default: url without its path). */
  previewUrl?: string;
  /** argv of the smoke command (PREVIEW_URL is set for it). */
  smoke?: string[];
  /** Path of the JUnit XML report the smoke command writes (removed before it runs). */
  junitReport?: string;
  /** Link shown with the smoke results (the run's log or the report's artifact). */
  reportLink?: string;
  argocd?: ApplicationRef;
  /** The commit the Argo CD Application must have synced (the PR's head SHA). */
  argocdRevision?: string;
  clock?: Clock;
  /** Probe schedule overrides (tests). */
  probe?: Pick<ProbeOptions, 'initialDelayMs' | 'maxDelayMs' | 'requestTimeoutMs' | 'attempt'>;
  argocdIntervalMs?: number;
  /**
   * A workload asleep at 0 replicas (KEDA HTTP add-on, sleep.ts): true (default) lets the probe be
   * the warm-up request through the add-on's interceptor, which wakes it and proves the deployed
   * version; false (or no url) leaves it asleep and reports the preview `sleeping`.
   */
  warmUp?: boolean;
  /** Where a non-fatal doubt goes (e.g. HTTPScaledObjects could not be listed). */
  warn?: (message: string) => void;
}

export type Phase = 'rollout' | 'argocd' | 'probe' | 'smoke';

/** ready; sleeping (asleep at 0 replicas and left so: it wakes on its first request); failed. */
export type ReadyState = 'ready' | 'sleeping' | 'failed';

export interface ReadyResult {
  ready: boolean;
  state: ReadyState;
  /** Workloads found asleep at 0 replicas (`deployments/app`), woken by the warm-up or left asleep. */
  asleep: string[];
  elapsedMs: number;
  /** ms per phase, in the order they ran. */
  phases: Array<{ phase: Phase; ms: number; ok: boolean; detail: string }>;
  smokeResult: 'passed' | 'failed' | 'skipped';
  /** Why not ready (one paragraph). */
  message?: string;
  /** Markdown for comment-status when not ready. */
  diagnostics?: string;
  /** The smoke report's results (junit-report), and their markdown for the comment. */
  smokeReport?: JUnitResult;
  smokeMarkdown?: string;
}

export async function waitReady(tools: KubeTools, o: ReadyOptions): Promise<ReadyResult> {
  const clock = o.clock ?? systemClock;
  const start = clock.now();
  const remaining = (): number => Math.max(1000, start + o.timeoutMs - clock.now());
  const phases: ReadyResult['phases'] = [];
  let asleep: string[] = [];
  const fail = async (message: string, withCluster: boolean, extra = ''): Promise<ReadyResult> => {
    let diagnostics = extra;
    if (withCluster) {
      const d = await collectDiagnostics(tools, { namespace: o.namespace });
      diagnostics = [extra, renderDiagnostics(d, { namespace: o.namespace })].filter(Boolean).join('\n\n');
    }
    return {
      ready: false,
      state: 'failed',
      asleep,
      elapsedMs: clock.now() - start,
      phases,
      smokeResult: 'skipped',
      message,
      diagnostics: diagnostics || undefined,
    };
  };

  if (o.argocd) {
    const t0 = clock.now();
    const w = await waitForApplication(tools, o.argocd, o.timeoutMs, {
      clock,
      intervalMs: o.argocdIntervalMs,
      revision: o.argocdRevision,
    });
    const detail = describeApplication(w.last, o.argocdRevision);
    phases.push({ phase: 'argocd', ms: clock.now() - t0, ok: w.ready, detail });
    if (!w.ready) {
      return fail(
        `Argo CD Application ${o.argocd.namespace}/${o.argocd.name} is not Synced and Healthy${o.argocdRevision ? ` at ${o.argocdRevision.slice(0, 12)}` : ''} after ${Math.round(w.elapsedMs / 1000)}s: ${detail}`,
        true,
      );
    }
  } else {
    const t0 = clock.now();
    const workloads = await listWorkloads(tools, o.namespace, o.kinds, o.selector);
    requireWorkloads(workloads, o.namespace, o.kinds, o.selector);
    // Asleep at 0 replicas the scaler holds: no rollout to wait for (the warm-up proves the version).
    const targets = workloads.some((w) => w.replicas === 0) ? await listSleepTargets(tools, o.namespace, o.warn) : [];
    const sleeps = (w: { kind: string; name: string; replicas?: number }) =>
      w.replicas === 0 && targets.some((t) => t.kind === w.kind && t.name === w.name);
    asleep = workloads.filter(sleeps).map((w) => `${w.kind}/${w.name}`);
    const outcomes = await waitForRollouts(
      tools,
      o.namespace,
      workloads.filter((w) => !sleeps(w)),
      remaining(),
      () => clock.now(),
    );
    const failed = outcomes.filter((r) => !r.ok);
    phases.push({
      phase: 'rollout',
      ms: clock.now() - t0,
      ok: failed.length === 0,
      detail: `${outcomes.length - failed.length}/${outcomes.length} rolled out${asleep.length ? `; asleep at 0 replicas (KEDA HTTP add-on): ${asleep.join(', ')}` : ''}`,
    });
    if (failed.length) {
      const list = failed.map((f) => `${f.kind}/${f.name}: ${f.message}`);
      return fail(
        `${failed.length} of ${outcomes.length} workload(s) did not roll out in "${o.namespace}": ${list.join('; ')}`,
        true,
        `**Rollouts not complete:**\n${list.map((l) => `- \`${l.split(':')[0]}\`:${l.slice(l.indexOf(':') + 1)}`).join('\n')}`,
      );
    }
  }

  if (asleep.length && (!o.url || o.warmUp === false)) {
    // Left asleep: it wakes on its first request; probing or smoke-testing it would wake it now.
    return { ready: true, state: 'sleeping', asleep, elapsedMs: clock.now() - start, phases, smokeResult: 'skipped' };
  }

  if (o.url) {
    const t0 = clock.now();
    const p = await probeUntilReady({
      url: o.url,
      headers: o.headers,
      expect: o.expect,
      timeoutMs: Math.max(0, start + o.timeoutMs - clock.now()),
      clock,
      ...o.probe,
    });
    const seen = Object.entries(p.seen)
      .map(([k, n]) => `${k}×${n}`)
      .join(', ');
    phases.push({
      phase: 'probe',
      ms: clock.now() - t0,
      ok: p.ready,
      detail: p.ready
        ? `${asleep.length ? `warm-up woke ${asleep.join(', ')} through the KEDA interceptor: ` : ''}HTTP ${p.status} after ${p.attempts} attempt(s)${seen ? ` (rode through ${seen})` : ''}`
        : `${p.last}${seen ? ` (seen: ${seen})` : ''}`,
    });
    if (!p.ready) {
      return fail(
        `${o.url.toString()} did not answer with an expected status within the timeout: ${p.last} (${p.attempts} attempts)`,
        false,
        `**Probe:** \`${o.url.toString()}\` — ${p.last} after ${p.attempts} attempt(s)${seen ? `; seen ${seen}` : ''}`,
      );
    }
  }

  let smokeResult: ReadyResult['smokeResult'] = 'skipped';
  let report: { result?: JUnitResult; markdown?: string } = {};
  if (o.smoke && o.smoke.length) {
    const t0 = clock.now();
    // A report left by an earlier run must never pass for this one.
    if (o.junitReport) await rm(o.junitReport, { force: true });
    let commandError: string | undefined;
    try {
      await runCommand(o.smoke, {
        env: { PREVIEW_URL: o.previewUrl ?? (o.url ? `${o.url.protocol}//${o.url.host}` : '') },
        stream: true,
      });
    } catch (err) {
      commandError = redact(errorText(err));
    }
    let reportProblem: string | undefined;
    if (o.junitReport) {
      try {
        const result = parseJUnit(await readFile(o.junitReport, 'utf8'));
        report = { result, markdown: renderJUnit(result, { link: o.reportLink }) };
        if (result.tests === 0) reportProblem = `The smoke report ${o.junitReport} holds no test cases`;
      } catch (err) {
        reportProblem = `The smoke report ${o.junitReport} ${(err as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'was not written' : `is not a JUnit report: ${redact(errorText(err)).split('\n')[0]}`}`;
      }
    }
    const failures = report.result?.failures ?? [];
    const ok = !commandError && !reportProblem && failures.length === 0;
    const detail = report.result
      ? junitCounts(report.result)
      : ok
        ? 'passed'
        : (reportProblem ?? commandError!.split('\n')[0]!);
    phases.push({ phase: 'smoke', ms: clock.now() - t0, ok, detail });
    if (!ok) {
      const message = failures.length
        ? `${failures.length} smoke test(s) failed: ${failures
            .slice(0, 5)
            .map((f) => f.name)
            .join('; ')}${failures.length > 5 ? '; …' : ''}`
        : reportProblem && !commandError
          ? reportProblem
          : `Smoke command failed: ${commandError!.split('\n')[0]}${reportProblem ? ` (${reportProblem})` : ''}`;
      const commandBlock =
        commandError && !report.result
          ? `**Smoke command failed:**\n\`\`\`\n${commandError.split('\n').slice(-10).join('\n').replace(/```/g, "'''")}\n\`\`\``
          : '';
      const r = await fail(
        message,
        false,
        [report.markdown, commandBlock, reportProblem && `**${reportProblem}.**`].filter(Boolean).join('\n\n'),
      );
      return { ...r, smokeResult: 'failed', smokeReport: report.result, smokeMarkdown: report.markdown };
    }
    smokeResult = 'passed';
  }
  return {
    ready: true,
    state: 'ready',
    asleep,
    elapsedMs: clock.now() - start,
    phases,
    smokeResult,
    smokeReport: report.result,
    smokeMarkdown: report.markdown,
  };
}

/** The phase table for the job summary. */
export function renderPhases(r: ReadyResult): string {
  return summaryTable(
    ['phase', 'time', 'ok', 'detail'],
    r.phases.map((p) => [p.phase, `${(p.ms / 1000).toFixed(1)} s`, p.ok ? '✅' : '❌', p.detail]),
  );
}
