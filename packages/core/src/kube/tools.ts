/**
 * The helm and kubectl binaries as the lifecycle sees them: found on PATH (as on a runner after
 * azure/setup-helm and setup-kubectl), the Helm major detected once, every call an argv array.
 */
import { ActionError } from '../runtime/errors.js';
import { runCommand, type RunOptions, type RunResult } from '../exec.js';

export type HelmMajor = 3 | 4;

export interface KubeTools {
  /** Program name or path of helm (default `helm`, resolved on PATH). */
  helm: string;
  /** Program name or path of kubectl (default `kubectl`). */
  kubectl: string;
  helmMajor: HelmMajor;
  /** e.g. `v3.17.3` */
  helmVersion: string;
  /** Extra environment for both (e.g. KUBECONFIG); undefined inherits the process's. */
  env?: Record<string, string | undefined>;
}

/** What kubectl-only code needs (wait-ready runs without helm). */
export type Kubectl = Pick<KubeTools, 'kubectl' | 'env'>;

/** kubectl from PATH (or `kubectl`), for code that never calls helm. */
export function kubectlTools(options: { kubectl?: string; env?: Record<string, string | undefined> } = {}): Kubectl {
  return { kubectl: options.kubectl ?? 'kubectl', env: options.env };
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
export async function detectTools(options: { helm?: string; kubectl?: string; env?: Record<string, string | undefined> } = {}): Promise<KubeTools> {
  const helm = options.helm ?? 'helm';
  const kubectl = options.kubectl ?? 'kubectl';
  let version: string;
  try {
    version = (await runCommand([helm, 'version', '--template', '{{.Version}}'], { env: options.env })).stdout.trim();
  } catch (err) {
    if (isMissingProgram(err)) {
      throw new ActionError(`helm was not found on PATH (looked for "${helm}")`, {
        hint: 'Install it before this step, e.g. with azure/setup-helm', cause: err,
      });
    }
    throw err;
  }
  return { helm, kubectl, helmMajor: parseHelmMajor(version), helmVersion: version, env: options.env };
}

/** Runs helm with `args`; failures are CommandErrors naming the command and helm's last lines. */
export function runHelm(tools: Pick<KubeTools, 'helm' | 'env'>, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand([tools.helm, ...args], { ...options, env: { ...tools.env, ...options.env } });
}

/** Runs kubectl with `args` (and `input` on stdin for `apply -f -`). */
export async function runKubectl(tools: Kubectl, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  try {
    return await runCommand([tools.kubectl, ...args], { ...options, env: { ...tools.env, ...options.env } });
  } catch (err) {
    if (isMissingProgram(err)) {
      throw new ActionError(`kubectl was not found on PATH (looked for "${tools.kubectl}")`, {
        hint: 'Install it before this step, e.g. with azure/setup-kubectl', cause: err,
      });
    }
    throw err;
  }
}

/** kubectl's output parsed as JSON (for `-o json` calls). */
export async function kubectlJson<T = any>(tools: Kubectl, args: readonly string[], options: RunOptions = {}): Promise<T> {
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
