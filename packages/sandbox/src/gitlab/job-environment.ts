/**
 * What GitLab does to an environment when a job with `environment:` finishes (docs: "Environments
 * → Stop an environment", "auto_stop_in"): `action: start` (the default) creates the environment
 * or makes it available again with the job's `url` and restarts its `auto_stop_in` clock;
 * `action: stop` stops it; prepare, verify and access leave it as it is. gitlab-ci-local talks to no
 * GitLab, so a test applies a job's environment to the stand-in with this.
 */
import { environmentSlug, type EnvironmentState, type GitLabState, type ProjectState } from './state.js';

/** A job's `environment:` after variable expansion. */
export interface JobEnvironment {
  name: string;
  url?: string;
  action?: 'start' | 'stop' | 'prepare' | 'verify' | 'access';
  /** e.g. "72 hours", "3 days", "1 week", "1 day 12 hours" (GitLab reads it with ChronicDuration). */
  autoStopIn?: string;
}

const UNIT_SECONDS: Array<[RegExp, number]> = [
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hrs?|hours?)$/, 3600],
  [/^(d|days?)$/, 86_400],
  [/^(w|wks?|weeks?)$/, 604_800],
];

/** Seconds in an `auto_stop_in` duration; throws on what it cannot read (GitLab rejects the pipeline). */
export function parseAutoStopIn(text: string): number {
  if (text.trim().toLowerCase() === 'never') return Number.POSITIVE_INFINITY;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)/gi;
  for (const m of text.matchAll(re)) {
    const unit = UNIT_SECONDS.find(([u]) => u.test(m[2]!.toLowerCase()));
    if (unit === undefined) throw new Error(`auto_stop_in "${text}": unknown unit "${m[2]}"`);
    total += Number(m[1]) * unit[1];
  }
  const rest = text
    .replace(re, '')
    .replace(/\band\b/gi, '')
    .replace(/[\s,]+/g, '');
  if (total === 0 || rest !== '')
    throw new Error(`auto_stop_in "${text}" is not a duration like "3 days" or "72 hours"`);
  return total;
}

/** Applies a finished job's environment to the project; returns the environment (undefined when none exists). */
export function applyJobEnvironment(
  state: GitLabState,
  p: ProjectState,
  env: JobEnvironment,
): EnvironmentState | undefined {
  const now = state.clock.now();
  let e = [...p.environments.values()].find((x) => x.name === env.name);
  const action = env.action ?? 'start';
  if (action === 'stop') {
    if (e !== undefined) Object.assign(e, { state: 'stopped', autoStopAt: null, updatedAt: now });
    return e;
  }
  if (action !== 'start') return e;
  if (e === undefined) {
    e = {
      id: state.nextId('environment'),
      name: env.name,
      slug: environmentSlug(env.name),
      externalUrl: null,
      state: 'available',
      tier: /^review\//.test(env.name) ? 'development' : 'other',
      description: null,
      createdAt: now,
      updatedAt: now,
      autoStopAt: null,
    };
    p.environments.set(e.id, e);
  }
  const stopIn = env.autoStopIn === undefined ? undefined : parseAutoStopIn(env.autoStopIn);
  Object.assign(e, {
    state: 'available',
    externalUrl: env.url ?? e.externalUrl,
    autoStopAt: stopIn === undefined || stopIn === Number.POSITIVE_INFINITY ? null : now + stopIn * 1000,
    updatedAt: now,
  });
  return e;
}
