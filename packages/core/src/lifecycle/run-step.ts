/**
 * Runs one of our bundled actions as a step of the all-in-one action: the same `dist/index.js`
 * the runner would run, in a child process with `INPUT_*` set, its own GITHUB_OUTPUT and
 * GITHUB_STATE files, and the shared step summary. Its stdout goes straight to ours, so the
 * runner sees its `::add-mask::`, annotations and groups exactly as if it were a step.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StepResult {
  exitCode: number;
  outputs: Record<string, string>;
}

/** Parses the runner's file-command format (`name<<delimiter` blocks and `name=value` lines). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      out[heredoc[1]!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/** The runner's env-var name for an input: upper case, spaces to `_`, dashes kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface RunStepOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Collect the step's stdout instead of passing it through (steps running in parallel would
   * interleave their logs); the caller prints it whole. Masks still reach the runner before any
   * line that needs them, because the text keeps its order.
   */
  buffer?: boolean;
  /**
   * Kills the step (SIGKILL) when it is still running after this long. A step ends itself at
   * its own `timeout`; this is the orchestrator's backstop, so no step can hold the job.
   */
  killAfterMs?: number;
}

export interface BufferedStepResult extends StepResult {
  /** The step's stdout when buffered, else ''. */
  log: string;
  /** True when `killAfterMs` ran out and the step was killed. */
  stopped?: boolean;
}

export async function runBundledStep(
  mainJs: string,
  inputs: Record<string, string>,
  opts: RunStepOptions = {},
): Promise<BufferedStepResult> {
  const env = opts.env ?? process.env;
  const dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), 'preview-fleet-step-'));
  const outputFile = join(dir, 'output');
  const stateFile = join(dir, 'state');
  writeFileSync(outputFile, '');
  writeFileSync(stateFile, '');
  const childEnv: NodeJS.ProcessEnv = { ...env, GITHUB_OUTPUT: outputFile, GITHUB_STATE: stateFile };
  for (const [name, value] of Object.entries(inputs)) childEnv[inputEnvName(name)] = value;
  try {
    const child = spawn(process.execPath, [mainJs], {
      env: childEnv,
      stdio: ['ignore', opts.buffer ? 'pipe' : 'inherit', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    let stopped = false;
    const timer =
      opts.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            stopped = true;
            child.kill('SIGKILL');
          }, opts.killAfterMs);
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    }).finally(() => clearTimeout(timer));
    return {
      exitCode,
      outputs: parseFileCommands(readFileSync(outputFile, 'utf8')),
      log: Buffer.concat(chunks).toString('utf8'),
      stopped,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
