/**
 * The helm and kubectl binaries as the lifecycle sees them: found on PATH (as on a runner after
 * azure/setup-helm and setup-kubectl), the Helm major detected once, every call an argv array.
 */
import { execFileSync } from 'node:child_process';
import { type Clock, systemClock } from '../clock.js';
import { ActionError } from '../runtime/errors.js';
import { formatDuration } from '../runtime/parse.js';
import { withinDeadline } from '../runtime/deadline.js';
import { retry, type RetryOptions } from '../retry.js';
import { CommandError, CommandTimeoutError, runCommand, type RunOptions, type RunResult } from '../exec.js';

/** One request to the Kubernetes API may take this long unless the user says otherwise (`request-timeout`). */
export const DEFAULT_KUBE_REQUEST_TIMEOUT_MS = 30_000;

export type HelmMajor = 3 | 4;

/** How to call helm and kubectl: the one description every kube function takes. */
export interface KubeTools {
  /** Program name or path of helm (default `helm`, resolved on PATH). */
  helm: string;
  /** Program name or path of kubectl (default `kubectl`). */
  kubectl: string;
  /** Extra environment for both (e.g. KUBECONFIG); undefined inherits the process's. */
  env?: Record<string, string | undefined>;
  /** kubectl's `--request-timeout` per API request, and the base of each process's own bound (default 30 s). */
  requestTimeoutMs?: number;
  /** Waits between retries of reads (tests inject a FakeClock). */
  clock?: Clock;
}

/** The tools once helm's version is known (`detectTools`): what builds argv for the major in use. */
export interface DetectedTools extends KubeTools {
  helmMajor: HelmMajor;
  /** e.g. `v3.17.3` */
  helmVersion: string;
}

/** helm and kubectl from PATH (or as named), without asking helm its version: for code that needs no major. */
export function kubectlTools(
  options: {
    helm?: string;
    kubectl?: string;
    env?: Record<string, string | undefined>;
    requestTimeoutMs?: number;
  } = {},
): KubeTools {
  return {
    helm: options.helm ?? 'helm',
    kubectl: options.kubectl ?? 'kubectl',
    env: options.env,
    requestTimeoutMs: options.requestTimeoutMs,
  };
}

/** `v3.17.3+ge4da497` or `v4.1.4` → 3 / 4; anything else is an error naming what was seen. */
export function parseHelmMajor(version: string): HelmMajor {
  const m = /^v?(\d+)\.\d+/.exec(version.trim());
  const major = m ? Number(m[1]) : NaN;
  if (major === 3 || major === 4) return major;
  throw new ActionError(`Unsupported Helm version "${version.trim()}"`, {
    hint: 'preview-fleet drives Helm 3 (3.8 or later) and Helm 4; install one with azure/setup-helm',
  });
}

/** True when spawning failed because the program does not exist (ENOENT from the exec layer). */
function isMissingProgram(err: unknown): boolean {
  const text = `${(err as { code?: string })?.code ?? ''} ${(err as Error)?.message ?? ''}`;
  return /ENOENT|Unable to locate executable file|not found in PATH/i.test(text);
}

/**
 * Finds helm and kubectl and asks helm its version once (`helm version --template {{.Version}}`,
 * which both majors support), so every later argv is built for the major in use.
 */
export async function detectTools(
  options: {
    helm?: string;
    kubectl?: string;
    env?: Record<string, string | undefined>;
    requestTimeoutMs?: number;
  } = {},
): Promise<DetectedTools> {
  const helm = options.helm ?? 'helm';
  const kubectl = options.kubectl ?? 'kubectl';
  let version: string;
  try {
    version = (
      await runCommand([helm, 'version', '--template', '{{.Version}}'], { env: options.env, timeoutMs: 30_000 })
    ).stdout.trim();
  } catch (err) {
    if (isMissingProgram(err)) {
      throw new ActionError(`helm was not found on PATH (looked for "${helm}")`, {
        hint: 'Install it before this step, e.g. with azure/setup-helm',
        cause: err,
      });
    }
    throw err;
  }
  return {
    helm,
    kubectl,
    helmMajor: parseHelmMajor(version),
    helmVersion: version,
    env: options.env,
    requestTimeoutMs: options.requestTimeoutMs,
  };
}

/**
 * Runs helm with `args`; failures are CommandErrors naming the command and helm's last lines.
 * Helm has no per-request timeout flag: a command with its own `--timeout` (upgrade, rollback,
 * uninstall) is bounded by it; any other (status, history, list) is stopped after three request
 * timeouts. A timeout names the Kubernetes API.
 */
export async function runHelm(tools: KubeTools, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const requestMs = tools.requestTimeoutMs ?? DEFAULT_KUBE_REQUEST_TIMEOUT_MS;
  const own = args.includes('--timeout');
  const env = { ...tools.env, ...options.env };
  const run = (): Promise<RunResult> =>
    runCommand([tools.helm, ...args], {
      ...options,
      env,
      waitingFor: () => kubeApiName(tools.kubectl, env, 'kubectl'),
      timeoutMs: options.timeoutMs ?? (own ? undefined : withinDeadline(3 * requestMs)),
    });
  try {
    return await (HELM_READ_VERBS.has(args[0] ?? '') ? retry(run, kubeReadRetry(tools)) : run());
  } catch (err) {
    throw kubeTimeout(err, kubeApiName(tools.kubectl, env, 'kubectl'));
  }
}

/** helm commands that only read the release storage: retried like kubectl's reads (found by the fault matrix). */
const HELM_READ_VERBS = new Set(['history', 'status', 'list', 'ls', 'get']);

/** How a read is retried when the API answers 429/5xx, resets or does not answer. */
function kubeReadRetry(tools: KubeTools): RetryOptions {
  return {
    attempts: 4,
    baseMs: 1000,
    maxMs: 8000,
    clock: tools.clock ?? systemClock,
    classify: (e) => ({ transient: isKubeTransient(e) }),
  };
}

/** kubectl verbs that only read: retried on 429, 5xx and network errors (never writes). */
const READ_VERBS = new Set([
  'get',
  'api-resources',
  'api-versions',
  'version',
  'events',
  'describe',
  'top',
  'auth',
  'logs',
]);

/** kubectl's words for an API that is busy, failing or not answering — worth another read. */
const KUBE_TRANSIENT =
  /\((InternalError|ServiceUnavailable|TooManyRequests|Timeout|ServerTimeout)\)|Unable to connect to the server|context deadline exceeded|TLS handshake timeout|i\/o timeout|connection refused|connection reset|EOF$|the server is currently unable|unable to return a response in the time allotted|try again later/im;

/** True for a kubectl failure worth retrying when the call only reads. */
export function isKubeTransient(err: unknown): boolean {
  if (err instanceof CommandTimeoutError) return true;
  if (err instanceof CommandError) return KUBE_TRANSIENT.test(`${err.stderr}\n${err.stdout}`);
  return false;
}

/**
 * Runs kubectl with `args` (and `input` on stdin for `apply -f -`). Every call gets
 * `--request-timeout` (a command that waits — `--timeout=`, `rollout status`, `wait` — gets its own
 * timeout plus the request timeout as the process bound instead); reads are retried with backoff
 * on 429/5xx/timeouts, writes never are. A call that runs out of time names the Kubernetes API.
 */
export async function runKubectl(
  tools: KubeTools,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const requestMs = tools.requestTimeoutMs ?? DEFAULT_KUBE_REQUEST_TIMEOUT_MS;
  const env = { ...tools.env, ...options.env };
  const waits =
    args.some((a) => a.startsWith('--timeout')) ||
    args[0] === 'wait' ||
    (args[0] === 'rollout' && args[1] === 'status');
  const argv = waits
    ? [tools.kubectl, ...args]
    : [tools.kubectl, `--request-timeout=${Math.ceil(requestMs / 1000)}s`, ...args];
  const run = (): Promise<RunResult> =>
    runCommand(argv, {
      ...options,
      env,
      okExitCodes: [0],
      waitingFor: () => kubeApiName(tools.kubectl, env, 'kubectl'),
      timeoutMs: options.timeoutMs ?? (waits ? undefined : withinDeadline(3 * requestMs)),
    });
  const isRead =
    READ_VERBS.has(args[0] ?? '') &&
    !args.some((a) => a === '-w' || a.startsWith('--watch') || a === '-f' || a.startsWith('--follow'));
  try {
    return await (isRead ? retry(run, kubeReadRetry(tools)) : run());
  } catch (err) {
    if (isMissingProgram(err)) {
      throw new ActionError(`kubectl was not found on PATH (looked for "${tools.kubectl}")`, {
        hint: 'Install it before this step, e.g. with azure/setup-kubectl',
        cause: err,
      });
    }
    if (err instanceof CommandError && (options.okExitCodes ?? [0]).includes(err.exitCode))
      return { exitCode: err.exitCode, stdout: err.stdout, stderr: err.stderr };
    throw kubeTimeout(err, kubeApiName(tools.kubectl, env, 'kubectl'));
  }
}

/** client-go's words (in helm's or kubectl's stderr) for an API server it could not reach or that never answered. */
const KUBE_UNREACHABLE =
  /Kubernetes cluster unreachable|Unable to connect to the server|TLS handshake timeout|i\/o timeout|context deadline exceeded|connection refused/i;

/**
 * A CommandTimeoutError, or a failure whose stderr says the API server could not be reached or
 * answered busy / failing (429, 5xx, a reset), rewritten to name the Kubernetes API; anything else
 * (NotFound, Forbidden, a chart error) unchanged.
 */
function kubeTimeout(err: unknown, api: string): unknown {
  if (err instanceof CommandError && !(err instanceof CommandTimeoutError) && KUBE_UNREACHABLE.test(err.stderr)) {
    return new ActionError(`${api} did not answer: ${err.message}`, {
      hint: "Check the cluster endpoint and the runner's network (KUBECONFIG, aws eks update-kubeconfig)",
      cause: err,
    });
  }
  if (err instanceof CommandError && !(err instanceof CommandTimeoutError) && isKubeTransient(err)) {
    return new ActionError(`${api} failed: ${err.message}`, {
      hint: 'The API server was busy, failing or cut the connection; re-run the job (every step is idempotent)',
      cause: err,
    });
  }
  if (!(err instanceof CommandTimeoutError)) return err;
  return new ActionError(`${api} did not answer within ${formatDuration(err.timeoutMs)}: ${err.message}`, {
    hint: "Check the cluster endpoint and the runner's network (KUBECONFIG, aws eks update-kubeconfig); raise request-timeout if the API is just slow",
    cause: err,
  });
}

const apiNames = new Map<string, string>();

/**
 * `the Kubernetes API at https://…` from the kubeconfig in use (`kubectl config view --minify`,
 * local, no request); cached; falls back to `the Kubernetes API` when kubectl cannot tell.
 */
export function kubeApiName(program: string, env: Record<string, string | undefined>, via: 'kubectl' | 'helm'): string {
  const kubectl = via === 'kubectl' ? program : 'kubectl';
  const key = `${kubectl}\0${env.KUBECONFIG ?? process.env.KUBECONFIG ?? ''}`;
  let name = apiNames.get(key);
  if (name === undefined) {
    let server: string;
    try {
      const full = Object.fromEntries(
        Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      server = execFileSync(kubectl, ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'], {
        env: full,
        timeout: 3000,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
    } catch {
      server = '';
    }
    name = server ? `the Kubernetes API at ${server}` : 'the Kubernetes API';
    apiNames.set(key, name);
  }
  return name;
}

/** kubectl's output parsed as JSON (for `-o json` calls). */
export async function kubectlJson<T = any>(
  tools: KubeTools,
  args: readonly string[],
  options: RunOptions = {},
): Promise<T> {
  const r = await runKubectl(tools, [...args, '-o', 'json'], options);
  try {
    return JSON.parse(r.stdout) as T;
  } catch (err) {
    throw new ActionError(`kubectl ${args.join(' ')} printed no JSON: ${r.stdout.slice(0, 200)}`, { cause: err });
  }
}

/** `NotFound` from kubectl ("Error from server (NotFound)"). */
export function isNotFound(err: unknown): boolean {
  return /\(NotFound\)|not found/i.test(String((err as { stderr?: string })?.stderr ?? (err as Error)?.message ?? ''));
}
