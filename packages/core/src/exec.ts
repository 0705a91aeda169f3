/**
 * The argv-only process runner: never a shell string, output captured, every masked value
 * redacted from what is logged or thrown, failures naming the command, exit code and stderr tail.
 */
import { getExecOutput } from '@actions/exec';
import { ActionError } from './runtime/errors.js';
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

/** Runs `argv[0]` with `argv.slice(1)` as separate arguments. */
export async function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  if (argv.length === 0 || argv[0] === '') throw new ActionError('runCommand needs a program name');
  const command = describeCommand(options.display ?? argv);
  log.debug(`$ ${command}`);
  const env = options.env ? (Object.fromEntries(Object.entries({ ...process.env, ...options.env }).filter(([, v]) => v !== undefined)) as Record<string, string>) : undefined;
  const result = await getExecOutput(argv[0]!, argv.slice(1) as string[], {
    cwd: options.cwd,
    env,
    input: options.input === undefined ? undefined : Buffer.from(options.input),
    ignoreReturnCode: true,
    silent: true,
    listeners: options.stream
      ? {
          stdline: (line: string) => log.info(line),
          errline: (line: string) => log.info(line),
        }
      : undefined,
  });
  const ok = options.okExitCodes ?? [0];
  if (!ok.includes(result.exitCode)) throw new CommandError(command, result);
  return result;
}
