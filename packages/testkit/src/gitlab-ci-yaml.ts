/**
 * Reading a job out of a .gitlab-ci.yml the way GitLab merges it, for what gitlab-ci-local does
 * not handle: a job's keys come from `default:`, then its `extends:` chain (hidden jobs in the
 * same file; `include:` is not followed), then the job itself.
 */
type Doc = Record<string, unknown>;
type Job = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The job's merged definition (shallow per key, as GitLab merges `extends:` hashes one level deep for these keys). */
export function resolveJob(doc: Doc, name: string, seen: string[] = []): Job {
  const job = doc[name];
  if (!isObject(job)) throw new Error(`no job "${name}" in the pipeline`);
  if (seen.includes(name)) throw new Error(`extends loop: ${[...seen, name].join(' → ')}`);
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? job.extends : [job.extends];
  let merged: Job = seen.length === 0 && isObject(doc.default) ? { ...doc.default } : {};
  for (const parent of parents) merged = mergeJob(merged, resolveJob(doc, String(parent), [...seen, name]));
  return mergeJob(merged, job);
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
