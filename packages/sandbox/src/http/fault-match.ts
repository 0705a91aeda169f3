/** Which request an injected fault applies to: shared by the GitHub and GitLab stand-ins' fault injection. */
export interface FaultSelector {
  /** HTTP method (any case); any method when absent. */
  method?: string;
  /** A substring of the path, or a pattern it must match. */
  pathPattern: RegExp | string;
  /** Query parameters the request must carry (e.g. only page 2 of a list). */
  query?: Record<string, string | RegExp>;
  /** Let this many matching requests through first. */
  skip?: number;
  /** How many more requests it hits. */
  remaining: number;
  /** Matching requests let through so far (for `skip`). */
  skipped?: number;
}

/** True when the fault applies to this request (method, path, query); consumes a `skip` on a match. */
export function faultMatches(f: FaultSelector, method: string, url: URL): boolean {
  if (f.remaining <= 0 || (f.method !== undefined && f.method.toUpperCase() !== method.toUpperCase())) return false;
  if (typeof f.pathPattern === 'string' ? !url.pathname.includes(f.pathPattern) : !f.pathPattern.test(url.pathname))
    return false;
  for (const [k, want] of Object.entries(f.query ?? {})) {
    const got = url.searchParams.get(k);
    if (got === null || (typeof want === 'string' ? got !== want : !want.test(got))) return false;
  }
  f.skipped ??= 0;
  if (f.skipped < (f.skip ?? 0)) {
    f.skipped++;
    return false;
  }
  return true;
}
