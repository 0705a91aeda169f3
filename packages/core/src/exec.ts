/**
 * The argv-only process runner: never a shell string, output captured, every masked value
 * redacted from what is logged or thrown, failures naming the command, exit code and stderr tail.
 */
import { spawn } from 'node:child_process';
import { trackChild, waitingOn } from './runtime/deadline.js';
import { ActionError } from './runtime/errors.js';
import { formatDuration } from './runtime/parse.js';
import { log } from './runtime/outputs.js';
import { redact } from './runtime/secrets.js';

export interface RunOptions {
  /** Written to the process's stdin (e.g. a password for --password-stdin). */
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Exit codes that are not failures (default [0]). */
  okExitCodes?: number[];
  /** Stream output lines to the log as they come (default false: log nothing but the command). */
  stream?: boolean;
  /**
   * Kill the process (SIGTERM, then SIGKILL 2 s later) when it runs longer, and fail with a
   * CommandTimeoutError. Default: no limit of its own (the step deadline still applies).
   */
  timeoutMs?: number;
  /** Whom the command waits on, for the step deadline's message (default: the command itself). */
  waitingFor?: string | (() => string);
  /** The argv to show in logs and errors instead of the real one (e.g. with build-arg values hidden). */
  display?: readonly string[];
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Thrown when a command exits with a code not in okExitCodes. */
export class CommandError extends ActionError {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(command: string, result: RunResult) {
    const tail = lastLines(result.stderr || result.stdout, 20);
    super(`Command "${command}" failed with exit code ${result.exitCode}${tail ? `:\n${tail}` : ''}`);
    this.name = 'CommandError';
    this.exitCode = result.exitCode;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

/** Thrown when a command outlived its `timeoutMs` and was killed. */
export class CommandTimeoutError extends ActionError {
  readonly timeoutMs: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(command: string, timeoutMs: number, result: Omit<RunResult, 'exitCode'>) {
    const tail = lastLines(result.stderr || result.stdout, 5);
    super(
      `Command "${command}" did not finish within ${formatDuration(timeoutMs)} and was stopped${tail ? `:\n${tail}` : ''}`,
    );
    this.name = 'CommandTimeoutError';
    this.timeoutMs = timeoutMs;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

/** The last `n` non-empty lines of `text`, redacted. */
export function lastLines(text: string, n: number): string {
  return redact(text)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join('\n');
}

/** Shows an argv as a readable, redacted command line (for logs and errors only — never executed). */
export function describeCommand(argv: readonly string[]): string {
  return redact(argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' '));
}

/** Runs `argv[0]` with `argv.slice(1)` as separate arguments (no shell), bounded by `timeoutMs`. */
export async function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  if (argv.length === 0 || argv[0] === '') throw new ActionError('runCommand needs a program name');
  const command = describeCommand(options.display ?? argv);
  log.debug(`$ ${command}`);
  const env = options.env
    ? (Object.fromEntries(
        Object.entries({ ...process.env, ...options.env }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>)
    : undefined;
  const result = await waitingOn(options.waitingFor ?? `the command "${command}"`, command, () =>
    spawnCaptured(argv, command, env, options),
  );
  const ok = options.okExitCodes ?? [0];
  if (!ok.includes(result.exitCode)) throw new CommandError(command, result);
  return result;
}

function spawnCaptured(
  argv: readonly string[],
  command: string,
  env: Record<string, string> | undefined,
  options: RunOptions,
): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const lines = { out: '', err: '' };
    const stream = (key: 'out' | 'err', chunk: Buffer): void => {
      if (!options.stream) return;
      const text = lines[key] + chunk.toString('utf8');
      const parts = text.split(/\r?\n/);
      lines[key] = parts.pop() ?? '';
      for (const l of parts) log.info(l);
    };
    child.stdout!.on('data', (c: Buffer) => {
      out.push(c);
      stream('out', c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      err.push(c);
      stream('err', c);
    });
    child.stdin!.on('error', () => undefined); // a program that never reads stdin closes it (EPIPE)
    child.stdin!.end(options.input === undefined ? undefined : Buffer.from(options.input));
    let killed = false;
    let hardKill: NodeJS.Timeout | undefined;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = true;
            child.kill('SIGTERM');
            hardKill = setTimeout(() => child.kill('SIGKILL'), 2000);
          }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      for (const key of ['out', 'err'] as const) if (options.stream && lines[key]) log.info(lines[key]);
      const captured = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (killed) reject(new CommandTimeoutError(command, options.timeoutMs!, captured));
      else resolve({ exitCode: code ?? (signal ? 128 : 1), ...captured });
    });
  });
}
