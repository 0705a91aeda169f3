/**
 * The seed Job's report for the PR comment (wait-ready's `seed-job`): the row counts its log ends
 * with (`preview-seed: users=50 orders=150`, the example chart's last line) and how long the Job
 * took (status.startTime → status.completionTime, which Kubernetes records to the second).
 */
import { formatDuration } from '../runtime/parse.js';
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import { isNotFound, kubectlJson, runKubectl, type KubeTools } from './tools.js';

/** What the seed Job said: finished with counts (or without a report line), failed, still running or gone. */
export interface SeedReport {
  job: string;
  state: 'complete' | 'failed' | 'running' | 'missing' | 'unread';
  /** From the last `preview-seed:` line, in its order; undefined when there is none. */
  counts?: Array<[string, number]>;
  /** Whole seconds from startTime to completionTime. */
  seconds?: number;
  /** Why it failed (the Failed condition's reason and message), or why it could not be read. */
  reason?: string;
  /** One markdown line for the comment's details. */
  markdown: string;
}

const SEED_LINE = /^preview-seed:[ \t]*(.*)$/gm;
const COUNT = /^([A-Za-z_][A-Za-z0-9_]{0,40})=(\d{1,15})$/;

/** The counts of the last `preview-seed: k=n …` line in `log`; pairs that are not `name=integer` are ignored. */
export function parseSeedLine(log: string): Array<[string, number]> | undefined {
  const last = [...log.matchAll(SEED_LINE)].pop();
  if (!last) return undefined;
  const pairs = last[1]!
    .trim()
    .split(/\s+/)
    .map((p) => COUNT.exec(p))
    .filter((m): m is RegExpExecArray => m !== null);
  return pairs.map((m) => [m[1]!, Number(m[2])]);
}

interface JobStatus {
  startTime?: string;
  completionTime?: string;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

/** Whole seconds between a Job's startTime and completionTime; undefined when either is missing or unreadable. */
export function jobSeconds(status: JobStatus): number | undefined {
  const start = Date.parse(status.startTime ?? '');
  const end = Date.parse(status.completionTime ?? '');
  return Number.isNaN(start) || Number.isNaN(end) || end < start ? undefined : Math.round((end - start) / 1000);
}

/** The report's markdown line, e.g. `**Seed:** ✅ seeded: users=50, orders=150 in 3s`. */
export function renderSeed(r: Omit<SeedReport, 'markdown'>): string {
  const took = r.seconds === undefined ? '' : ` in ${formatDuration(r.seconds * 1000)}`;
  const job = `\`${r.job}\``;
  switch (r.state) {
    case 'complete':
      return r.counts && r.counts.length > 0
        ? `**Seed:** ✅ seeded: ${r.counts.map(([k, n]) => `${k}=${n}`).join(', ')}${took}`
        : `**Seed:** ✅ job ${job} completed${took}; its log has no \`preview-seed:\` line`;
    case 'failed':
      return `**Seed:** ❌ job ${job} failed${r.reason ? ` (${r.reason})` : ''}`;
    case 'running':
      return `**Seed:** ⏳ job ${job} has not finished`;
    case 'unread':
      return `**Seed:** ⚠️ job ${job} could not be read${r.reason ? ` (${r.reason})` : ''}`;
    default:
      return `**Seed:** ⚠️ job ${job} not found (removed, or not created by this chart)`;
  }
}

/**
 * Reads the seed Job in `namespace` (`kubectl get job`, then `kubectl logs job/<name>` once it
 * completed), both bounded by the tools' request timeout and retried as reads. Never throws: a Job
 * missing, failed, still running or unreadable (the API not answering) is reported; the caller decides.
 */
export async function readSeedJob(tools: KubeTools, namespace: string, job: string): Promise<SeedReport> {
  const report = (r: Omit<SeedReport, 'markdown' | 'job'>): SeedReport => ({
    job,
    ...r,
    markdown: renderSeed({ job, ...r }),
  });
  try {
    const status =
      (await kubectlJson<{ status?: JobStatus }>(tools, ['get', 'job', job, '--namespace', namespace])).status ?? {};
    const cond = (type: string) => status.conditions?.find((c) => c.type === type && c.status === 'True');
    const failed = cond('Failed');
    if (failed)
      return report({
        state: 'failed',
        reason: [failed.reason, failed.message].filter(Boolean).join(': ') || undefined,
      });
    if (!cond('Complete')) return report({ state: 'running' });
    const log = (await runKubectl(tools, ['logs', `job/${job}`, '--namespace', namespace])).stdout;
    return report({ state: 'complete', counts: parseSeedLine(log), seconds: jobSeconds(status) });
  } catch (err) {
    if (isNotFound(err)) return report({ state: 'missing' });
    return report({ state: 'unread', reason: redact(errorText(err)).split('\n')[0]!.slice(0, 200) });
  }
}
