/**
 * Why a preview is not ready, as markdown a reviewer can act on: Helm's status and last error,
 * Warning events (newest first), pods that are not ready with their waiting reasons
 * (ImagePullBackOff, CrashLoopBackOff, …) and quota refusals — trimmed to what fits a comment.
 */
import { errorText } from '../runtime/errors.js';
import { redact } from '../runtime/secrets.js';
import { summaryTable } from '../runtime/summary.js';
import { getReleaseStatus, type ReleaseStatus } from './release.js';
import { kubectlJson, type KubeTools } from './tools.js';

export interface WarningEvent {
  reason: string;
  message: string;
  object: string;
  count: number;
  last: string;
}

export interface PodProblem {
  pod: string;
  phase: string;
  /** `container: Reason — message` */
  containers: string[];
}

export interface Diagnostics {
  release?: ReleaseStatus;
  events: WarningEvent[];
  pods: PodProblem[];
  /** Events that say the quota refused something. */
  quota: WarningEvent[];
  /** Anything we could not read (diagnostics never throw). */
  errors: string[];
}

/** Warning events of `kubectl get events --field-selector type=Warning -o json`, newest first. */
export function parseWarningEvents(list: any): WarningEvent[] {
  const items: any[] = Array.isArray(list?.items) ? list.items : [];
  return items
    .filter((e) => (e.type ?? 'Warning') === 'Warning')
    .map((e) => ({
      reason: String(e.reason ?? ''),
      message: String(e.message ?? e.note ?? '').trim(),
      object: `${String(e.involvedObject?.kind ?? e.regarding?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? e.regarding?.name ?? ''}`,
      count: Number(e.count ?? e.series?.count ?? 1),
      last: String(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? ''),
    }))
    .sort((a, b) => b.last.localeCompare(a.last));
}

/** Pods that are not Ready, with each waiting or terminated container's reason. */
export function parseUnreadyPods(list: any): PodProblem[] {
  const items: any[] = Array.isArray(list?.items) ? list.items : [];
  const out: PodProblem[] = [];
  for (const p of items) {
    const phase = String(p.status?.phase ?? 'Unknown');
    if (phase === 'Succeeded') continue;
    const ready = (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    if (ready) continue;
    const containers: string[] = [];
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated ?? c.lastState?.terminated;
      if (waiting?.reason)
        containers.push(`${c.name}: ${waiting.reason}${waiting.message ? ` — ${oneLine(waiting.message)}` : ''}`);
      else if (terminated?.reason && !c.ready)
        containers.push(`${c.name}: ${terminated.reason} (exit ${terminated.exitCode ?? '?'})`);
      else if (!c.ready) containers.push(`${c.name}: not ready`);
    }
    const unschedulable = (p.status?.conditions ?? []).find(
      (c: any) => c.type === 'PodScheduled' && c.status === 'False',
    );
    if (unschedulable)
      containers.push(
        `scheduling: ${unschedulable.reason ?? 'Unschedulable'}${unschedulable.message ? ` — ${oneLine(unschedulable.message)}` : ''}`,
      );
    out.push({ pod: String(p.metadata?.name ?? ''), phase, containers });
  }
  return out;
}

function oneLine(s: string, max = 200): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Gathers diagnostics; every read is best-effort, so a broken cluster still yields a report. */
export async function collectDiagnostics(
  tools: KubeTools,
  args: { namespace: string; release?: string },
): Promise<Diagnostics> {
  const d: Diagnostics = { events: [], pods: [], quota: [], errors: [] };
  const tasks: Array<Promise<void>> = [];
  if (args.release && 'helmMajor' in tools) {
    tasks.push(
      getReleaseStatus(tools, args.release, args.namespace).then(
        (r) => {
          d.release = r;
        },
        (e) => {
          d.errors.push(`helm status: ${firstLine(e)}`);
        },
      ),
    );
  }
  tasks.push(
    kubectlJson(tools, ['get', 'events', '--namespace', args.namespace, '--field-selector', 'type=Warning']).then(
      (l) => {
        d.events = parseWarningEvents(l);
      },
      (e) => {
        d.errors.push(`events: ${firstLine(e)}`);
      },
    ),
  );
  tasks.push(
    kubectlJson(tools, ['get', 'pods', '--namespace', args.namespace]).then(
      (l) => {
        d.pods = parseUnreadyPods(l);
      },
      (e) => {
        d.errors.push(`pods: ${firstLine(e)}`);
      },
    ),
  );
  await Promise.all(tasks);
  d.quota = d.events.filter((e) => /exceeded quota|forbidden: exceeded/i.test(e.message));
  return d;
}

function firstLine(err: unknown): string {
  return (
    redact(errorText(err))
      .split('\n')
      .find((l) => l.trim() !== '') ?? ''
  );
}

const MAX_EVENTS = 8;
const MAX_PODS = 6;
const MAX_CHARS = 4000;

/** Markdown for the PR comment and the `diagnostics` output (redacted, at most ~4000 characters). */
export function renderDiagnostics(
  d: Diagnostics,
  args: { namespace: string; release?: string; lastError?: string },
): string {
  const lines: string[] = [];
  if (d.release) {
    lines.push(
      `**Helm:** release \`${d.release.name}\` revision ${d.release.revision} is \`${d.release.status}\`${d.release.description ? ` — ${oneLine(d.release.description, 300)}` : ''}`,
    );
  } else if (args.release) {
    lines.push(`**Helm:** release \`${args.release}\` does not exist in \`${args.namespace}\``);
  }
  if (args.lastError) lines.push('', '**Last error:**', '```', lastLinesOf(args.lastError, 8), '```');
  if (d.quota.length) {
    lines.push('', `**Quota:** ${d.quota.length} refusal(s) — ${oneLine(d.quota[0]!.message, 300)}`);
  }
  if (d.pods.length) {
    lines.push('', `**Pods not ready (${d.pods.length}):**`);
    for (const p of d.pods.slice(0, MAX_PODS))
      lines.push(`- \`${p.pod}\` (${p.phase})${p.containers.length ? `: ${p.containers.join('; ')}` : ''}`);
    if (d.pods.length > MAX_PODS) lines.push(`- … and ${d.pods.length - MAX_PODS} more`);
  }
  if (d.events.length) {
    const rows = d.events
      .slice(0, MAX_EVENTS)
      .map((e) => [`\`${e.object}\``, e.reason, e.count, oneLine(e.message, 160)]);
    if (d.events.length > MAX_EVENTS) rows.push(['…', '', '', `${d.events.length - MAX_EVENTS} more`]);
    lines.push(
      '',
      `**Warning events (${d.events.length}, newest first):**`,
      '',
      summaryTable(['object', 'reason', 'count', 'message'], rows),
    );
  }
  if (!d.pods.length && !d.events.length && !d.release)
    lines.push('', '_No pods, events or release found in the namespace._');
  if (d.errors.length) lines.push('', `_Could not read: ${d.errors.join('; ')}_`);
  let text = redact(lines.join('\n').trim());
  if (text.length > MAX_CHARS) text = `${text.slice(0, MAX_CHARS - 40).replace(/\n[^\n]*$/, '')}\n\n_… trimmed_`;
  return text;
}

function lastLinesOf(text: string, n: number): string {
  return redact(text)
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .slice(-n)
    .map((l) => oneLine(l, 300))
    .join('\n')
    .replace(/```/g, "'''");
}

/** The reasons a reviewer should see first (for one-line messages): ImagePullBackOff, CrashLoopBackOff, quota. */
export function headlineReasons(d: Diagnostics): string[] {
  const reasons = new Set<string>();
  for (const p of d.pods)
    for (const c of p.containers) {
      const m = /^[^:]+: (\w+)/.exec(c);
      if (m && m[1] !== 'not') reasons.add(m[1]!);
    }
  if (d.quota.length) reasons.add('exceeded quota');
  return [...reasons];
}

/**
 * The report after a failure combined with a snapshot taken while it was failing: pods from the
 * snapshot when they are gone now (a rollback removed them), events from both, once each.
 */
export function mergeDiagnostics(now: Diagnostics, before?: Diagnostics): Diagnostics {
  if (!before) return now;
  const key = (e: WarningEvent): string => `${e.object}|${e.reason}|${e.message}`;
  const events = new Map<string, WarningEvent>();
  for (const e of [...before.events, ...now.events]) events.set(key(e), e);
  const merged = [...events.values()].sort((a, b) => b.last.localeCompare(a.last));
  return {
    release: now.release ?? before.release,
    events: merged,
    pods: now.pods.length ? now.pods : before.pods,
    quota: merged.filter((e) => /exceeded quota|forbidden: exceeded/i.test(e.message)),
    errors: now.errors,
  };
}
