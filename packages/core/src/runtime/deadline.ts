/**
 * The step deadline: the documented `timeout` input as a hard bound on the whole step. An action
 * arms it once its inputs are parsed (`setStepTimeout`); every call to the outside world says what
 * it is waiting on (`waitingOn`), and every child process is registered (`trackChild`). When the
 * time is up `runAction` fails the step naming the system that did not answer, kills the children
 * and exits — whatever socket is still hanging.
 */
import type { ChildProcess } from 'node:child_process';
import { formatDuration } from './parse.js';

/** One outstanding wait: the system (`Vault at https://…`) and what was asked of it. */
export interface Wait {
  system: string | (() => string);
  what?: string;
  since: number;
}

const waits = new Set<Wait>();
const children = new Set<ChildProcess>();
let deadline:
  { at: number; timeoutMs: number; timer: NodeJS.Timeout; onExpire: (err: StepTimeoutError) => void } | undefined;

/** The step ran out of its `timeout`; the message names what it was waiting on. */
export class StepTimeoutError extends Error {
  readonly timeoutMs: number;

  constructor(timeoutMs: number, message: string) {
    super(message);
    this.name = 'StepTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Runs `fn` as a wait on `system` (a name with its address, e.g. `Vault at https://vault:8200`),
 * so a deadline that expires meanwhile can say who did not answer.
 */
export async function waitingOn<T>(
  system: string | (() => string),
  what: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const w: Wait = { system, what, since: Date.now() };
  waits.add(w);
  try {
    return await fn();
  } finally {
    waits.delete(w);
  }
}

/** Registers a child process so the deadline can kill it; it forgets the child when it exits. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
}

/** Kills every registered child process still running (SIGKILL: the step is over). */
export function killChildren(signal: NodeJS.Signals = 'SIGKILL'): number {
  let n = 0;
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill(signal);
        n++;
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  return n;
}

/** Milliseconds left before the step deadline (Infinity when none is armed). */
export function remainingMs(now = Date.now()): number {
  return deadline ? Math.max(0, deadline.at - now) : Number.POSITIVE_INFINITY;
}

/** `budgetMs`, cut to what the step has left minus `reserveMs` (at least `floorMs`), for one inner wait. */
export function withinDeadline(budgetMs: number, reserveMs = 0, floorMs = 1000): number {
  const left = remainingMs();
  return left === Number.POSITIVE_INFINITY ? budgetMs : Math.max(floorMs, Math.min(budgetMs, left - reserveMs));
}

function systemText(s: string | (() => string)): string {
  if (typeof s === 'string') return s;
  try {
    return s();
  } catch {
    return 'an outside system';
  }
}

/** The message for an expired deadline: the most recent outstanding wait first. */
export function describeTimeout(timeoutMs: number, now = Date.now()): string {
  const limit = formatDuration(timeoutMs);
  const open = [...waits].sort((a, b) => b.since - a.since);
  if (open.length === 0) return `The step did not finish within its timeout of ${limit}`;
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const w of open) {
    const system = systemText(w.system);
    if (seen.has(system)) continue;
    seen.add(system);
    const waited = formatDuration(Math.round(Math.max(0, now - w.since) / 1000) * 1000);
    lines.push(`${system} did not answer within ${limit} (step timeout; waiting ${waited} for ${w.what ?? 'a reply'})`);
  }
  return lines.join('\n');
}

/**
 * Arms the step deadline: `timeoutMs` from now the step fails (see `runAction`). Called once by an
 * action after its inputs are parsed; a second call re-arms it. Without `runAction` around the
 * caller (unit tests) it only records the deadline for `remainingMs`.
 */
export function setStepTimeout(timeoutMs: number): void {
  if (deadline) clearTimeout(deadline.timer);
  const at = Date.now() + timeoutMs;
  const fire = deadline?.onExpire ?? pendingExpire;
  const timer = setTimeout(() => fire?.(new StepTimeoutError(timeoutMs, describeTimeout(timeoutMs))), timeoutMs);
  timer.unref();
  deadline = { at, timeoutMs, timer, onExpire: fire ?? (() => undefined) };
}

let pendingExpire: ((err: StepTimeoutError) => void) | undefined;

/** For `runAction`: where an expired deadline is reported; returns a disarm function. */
export function onStepTimeout(handler: (err: StepTimeoutError) => void): () => void {
  pendingExpire = handler;
  if (deadline) deadline.onExpire = handler;
  return () => {
    pendingExpire = undefined;
    if (deadline) clearTimeout(deadline.timer);
    deadline = undefined;
  };
}
