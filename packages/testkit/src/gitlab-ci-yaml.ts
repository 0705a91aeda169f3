/**
 * Reading a job out of a .gitlab-ci.yml the way GitLab merges it, for what gitlab-ci-local does
 * not handle (`id_tokens:`): the job with its `extends:` chain (hidden jobs in the same file;
 * `include:` is not followed), and `default:` for the keywords it leaves unset.
 */
type Doc = Record<string, unknown>;
type Job = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The job's definition as GitLab sees it: its `extends:` chain merged (hashes one level deep here),
 * then each `default:` keyword the job does not set (a job's keyword replaces the default's whole).
 */
export function resolveJob(doc: Doc, name: string): Job {
  const own = resolveExtends(doc, name, []);
  return { ...(isObject(doc.default) ? doc.default : {}), ...own };
}

function resolveExtends(doc: Doc, name: string, seen: string[]): Job {
  const job = doc[name];
  if (!isObject(job)) throw new Error(`no job "${name}" in the pipeline`);
  if (seen.includes(name)) throw new Error(`extends loop: ${[...seen, name].join(' → ')}`);
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? job.extends : [job.extends];
  let merged: Job = {};
  for (const parent of parents) merged = mergeJob(merged, resolveExtends(doc, String(parent), [...seen, name]));
  const { extends: _extends, ...rest } = job;
  return mergeJob(merged, rest);
}

function mergeJob(base: Job, over: Job): Job {
  const out: Job = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(base[k]) ? { ...base[k], ...v } : v;
  return out;
}

/** `id_tokens:` of the job: variable name → `aud` as written (a string or a list). */
export function jobIdTokens(doc: Doc, name: string): Record<string, string | string[]> {
  const tokens = resolveJob(doc, name).id_tokens;
  if (tokens === undefined) return {};
  if (!isObject(tokens)) throw new Error(`job "${name}": id_tokens must be a map`);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(tokens)) {
    if (!isObject(v) || v.aud === undefined) throw new Error(`job "${name}": id_tokens.${k} needs an aud`);
    out[k] = Array.isArray(v.aud) ? v.aud.map(String) : String(v.aud);
  }
  return out;
}

/** The job's `artifacts: reports: dotenv:` paths. */
export function jobReportsDotenv(doc: Doc, name: string): string[] {
  const artifacts = resolveJob(doc, name).artifacts;
  const reports = isObject(artifacts) ? artifacts.reports : undefined;
  const dotenv = isObject(reports) ? reports.dotenv : undefined;
  return dotenv === undefined ? [] : Array.isArray(dotenv) ? dotenv.map(String) : [String(dotenv)];
}

/** `$NAME` and `${NAME}` from `vars` (unknown names become empty, as in GitLab). */
export function expandVariables<T extends string | string[]>(value: T, vars: Record<string, string>): T {
  const one = (s: string): string =>
    s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => vars[a ?? b ?? ''] ?? '');
  return (Array.isArray(value) ? value.map(one) : one(value)) as T;
}

/** The job's `environment:` as written (a name, or name/url/action/auto_stop_in), or undefined. */
export function jobEnvironment(
  doc: Doc,
  name: string,
): { name: string; url?: string; action?: string; autoStopIn?: string } | undefined {
  const env = resolveJob(doc, name).environment;
  if (env === undefined || env === null) return undefined;
  if (typeof env === 'string') return { name: env };
  if (!isObject(env) || typeof env.name !== 'string') throw new Error(`job "${name}": environment needs a name`);
  return {
    name: env.name,
    ...(env.url === undefined ? {} : { url: String(env.url) }),
    ...(env.action === undefined ? {} : { action: String(env.action) }),
    ...(env.auto_stop_in === undefined ? {} : { autoStopIn: String(env.auto_stop_in) }),
  };
}
