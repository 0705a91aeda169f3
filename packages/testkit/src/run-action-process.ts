/**
 * Runs a bundled action exactly as the GitHub runner does: `node24 dist/index.js` in a child
 * process, inputs as `INPUT_<NAME>` (upper case, spaces → `_`, dashes kept) with action.yml
 * defaults filled in, the event payload in a file, and the runner's command files. Returns what
 * a workflow would see, plus a leak check over log, outputs, state and summary.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { inputEnvName, parseFileCommands } from '@preview-fleet/core/lifecycle';
import { node24Path } from './tools.js';
import { REFUSE_MIN_LENGTH } from '@preview-fleet/core';

export interface RunActionOptions {
  /** Inputs by their action.yml name (kebab-case). Unset ones get action.yml's default. */
  inputs?: Record<string, string | number | boolean>;
  /** The event payload written to GITHUB_EVENT_PATH. */
  event?: unknown;
  eventName?: string;
  /** Extra environment (e.g. the sandbox's endpoints). */
  env?: Record<string, string>;
  /** Values the test knows are secret even if the action forgot to mask them. */
  secrets?: string[];
  /** Use this machine's Node instead of Node 24 (only for comparisons). */
  node?: string;
  cwd?: string;
  /** Kill the process after this many ms (default 170 s). */
  timeoutMs?: number;
  repository?: string;
  runId?: number;
  runAttempt?: number;
  /**
   * Stops the run midway as the runner would, the whole process tree (the action, its steps,
   * helm/kubectl): `kill` is SIGKILL after `afterMs` (a lost runner, OOM); `cancel` is the
   * runner's cancel — SIGINT, then SIGKILL `graceMs` later (default 7500, the runner's wait).
   */
  stop?: { afterMs: number; how: 'kill' | 'cancel'; graceMs?: number };
}

export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  /** stdout + stderr, as the log shows them. */
  log: string;
  /** Values registered with ::add-mask:: */
  masked: string[];
  /** `where: value` for each masked or known-secret value found where it must never be. */
  leaks: string[];
  /** ::error:: / ::warning:: / ::notice:: annotations */
  annotations: Array<{ level: string; message: string }>;
  durationMs: number;
}

/** The runner's file-command parser and input naming, shared with the all-in-one action. */
export { parseFileCommands as parseCommandFile, inputEnvName };

function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

/** Evaluates the few `${{ }}` expressions action.yml defaults use. */
function evaluateDefault(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    switch (expr) {
      case 'github.token':
        return env.GITHUB_TOKEN ?? '';
      case 'github.server_url':
        return env.GITHUB_SERVER_URL ?? '';
      case 'github.repository':
        return env.GITHUB_REPOSITORY ?? '';
      case 'github.run_id':
        return env.GITHUB_RUN_ID ?? '';
      case 'github.api_url':
        return env.GITHUB_API_URL ?? '';
      default:
        throw new Error(`runActionProcess cannot evaluate \${{ ${expr} }} in an action.yml default`);
    }
  });
}

export async function runActionProcess(actionDir: string, options: RunActionOptions = {}): Promise<ActionRun> {
  const meta = parseYaml(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
    runs: { using: string; main: string };
  };
  if (meta.runs.using !== 'node24')
    throw new Error(`${actionDir}/action.yml runs.using is ${meta.runs.using}, expected node24`);
  const main = join(actionDir, meta.runs.main);
  if (!existsSync(main)) throw new Error(`${main} does not exist: build the action first`);

  const dir = mkdtempSync(join(tmpdir(), 'pf-run-'));
  const files = {
    event: join(dir, 'event.json'),
    output: join(dir, 'output'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary.md'),
    env: join(dir, 'env'),
    path: join(dir, 'path'),
  };
  writeFileSync(files.event, JSON.stringify(options.event ?? {}));
  for (const f of [files.output, files.state, files.summary, files.env, files.path]) writeFileSync(f, '');
  const temp = join(dir, 'runner-temp');
  mkdirSync(temp); // the runner creates RUNNER_TEMP before any step

  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    GITHUB_REPOSITORY: options.repository ?? 'Codertocat/Hello-World',
    GITHUB_RUN_ID: String(options.runId ?? 1001),
    GITHUB_RUN_ATTEMPT: String(options.runAttempt ?? 1),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_WORKSPACE: options.cwd ?? dir,
    ...options.env,
  };
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    const given = options.inputs?.[name];
    const value =
      given !== undefined
        ? String(given)
        : spec?.default !== undefined
          ? evaluateDefault(String(spec.default), base)
          : '';
    base[inputEnvName(name)] = value;
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in (meta.inputs ?? {}))) throw new Error(`input "${name}" is not declared in ${actionDir}/action.yml`);
  }

  const started = Date.now();
  const child = spawn(options.node ?? node24Path(), [main], {
    cwd: options.cwd ?? dir,
    env: base,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a stop reaches every process of the run, as the runner's does.
    ...(options.stop ? { detached: true } : {}),
  });
  const stopTimers: NodeJS.Timeout[] = [];
  if (options.stop) {
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const { afterMs, how, graceMs = 7500 } = options.stop;
    stopTimers.push(
      setTimeout(() => {
        if (how === 'kill') return group('SIGKILL');
        group('SIGINT');
        stopTimers.push(setTimeout(() => group('SIGKILL'), graceMs));
      }, afterMs),
    );
  }
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 170_000);
  const exitCode = await new Promise<number>((resolveExit) => child.on('close', (code) => resolveExit(code ?? 1)));
  clearTimeout(timer);
  for (const t of stopTimers) clearTimeout(t);

  const outputs = parseFileCommands(readFileSync(files.output, 'utf8'));
  const state = parseFileCommands(readFileSync(files.state, 'utf8'));
  const summary = readFileSync(files.summary, 'utf8');
  rmSync(dir, { recursive: true, force: true });

  const masked: string[] = [];
  const annotations: ActionRun['annotations'] = [];
  const logLines: string[] = [];
  for (const line of (stdout + '\n' + stderr).split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask) {
      masked.push(unescapeCommand(mask[1]!));
      continue;
    }
    const ann = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
    if (ann) annotations.push({ level: ann[1]!, message: unescapeCommand(ann[2]!) });
    logLines.push(line);
  }
  const log = logLines.join('\n');
  const leaks: string[] = [];
  const secrets = [...new Set([...masked, ...(options.secrets ?? [])].filter((s) => s.length >= 3))];
  for (const s of secrets) {
    // Outputs, state and the summary are checked, as the runtime guards them, for values long
    // enough that a match cannot be chance (a secret `true` against `created=true` is not a leak).
    const where: Array<[string, string]> = [
      ['log', log],
      ...(s.length >= REFUSE_MIN_LENGTH
        ? ([
            ['summary', summary],
            ...Object.entries(outputs).map(([k, v]) => [`output ${k}`, v] as [string, string]),
            ...Object.entries(state).map(([k, v]) => [`state ${k}`, v] as [string, string]),
          ] as Array<[string, string]>)
        : []),
    ];
    for (const [place, text] of where) if (text.includes(s)) leaks.push(`${place}: ${s.slice(0, 3)}…`);
  }
  return {
    exitCode,
    outputs,
    state,
    summary,
    stdout,
    stderr,
    log,
    masked,
    leaks,
    annotations,
    durationMs: Date.now() - started,
  };
}
