/**
 * The `depends-on` input: which services wait for which before they are deployed. One line per
 * dependent service, `api=db,cache`, so it reads like the services list in a workflow file.
 * Checked whole (unknown names, self-dependencies, cycles) before anything is created.
 */
import { InputError, parseKeyValueMap, planService } from '@preview-fleet/core';

/** service → the services it waits for (only services that wait appear). */
export type DependsOn = ReadonlyMap<string, readonly string[]>;

const INPUT = 'depends-on';

/**
 * Parses `depends-on` against the PR's `services` (already normalised by planService): every name
 * must be one of them, nobody waits for itself and the graph has no cycle.
 */
export function parseDependsOn(raw: string, services: readonly string[]): DependsOn {
  const known = new Set(services);
  const out = new Map<string, string[]>();
  const name = (line: string, s: string): string => {
    const service = planService(INPUT, s);
    if (!known.has(service)) {
      throw new InputError(INPUT, line, `must name only services listed in "services" (${services.join(', ')})`);
    }
    return service;
  };
  for (const [key, value] of parseKeyValueMap(INPUT, raw, /^[^=\s][^=]*$/)) {
    const line = `${key}=${value}`;
    const service = name(line, key);
    const deps = [
      ...new Set(
        value
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean),
      ),
    ].map((d) => name(line, d));
    if (deps.length === 0) throw new InputError(INPUT, line, 'must list at least one service after "=", e.g. api=db');
    if (deps.includes(service)) throw new InputError(INPUT, line, `must not make "${service}" wait for itself`);
    out.set(service, deps);
  }
  const cycle = findCycle(out);
  if (cycle) {
    throw new InputError(
      INPUT,
      raw.trim(),
      `must not hold a cycle (${cycle.join(' → ')}): a service in a cycle would wait forever`,
    );
  }
  return out;
}

/** A dependency cycle as a path that ends where it starts, or undefined. */
function findCycle(deps: DependsOn): string[] | undefined {
  const done = new Set<string>();
  const visit = (s: string, path: string[]): string[] | undefined => {
    const at = path.indexOf(s);
    if (at >= 0) return [...path.slice(at), s];
    if (done.has(s)) return undefined;
    for (const d of deps.get(s) ?? []) {
      const c = visit(d, [...path, s]);
      if (c) return c;
    }
    done.add(s);
    return undefined;
  };
  for (const s of deps.keys()) {
    const c = visit(s, []);
    if (c) return c;
  }
  return undefined;
}
