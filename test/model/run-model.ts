/**
 * Runs the model: `numRuns` random sequences (FC_RUNS), each on a fresh world, every invariant
 * checked after every command, then the faults cleared, runs in flight dropped and a final reaper
 * run per repository (twice: an expired PR is warned, then reaped) before "nothing outlives its PR".
 * A failure is fast-check's report: the seed, the shrunk path and the story (the commands' lines).
 */
import fc from 'fast-check';
import type { ReaperPorts } from '@preview-fleet/core/lifecycle';
import { checkInvariants, checkNothingOutlives } from './invariants.js';
import { commandArbs } from './arbitraries.js';
import { REPOS, type Cmd, type Model, type Real } from './model.js';
import { reapOnce, syncFromGitHub } from './reaper-run.js';
import { World } from './world.js';
import { worldReaperPorts } from './world-ports.js';

export interface ModelRunOptions {
  numRuns: number;
  seed?: number;
  maxCommands?: number;
  /** The reaper's ports (default: core's, bound to the world); the broken-reaper test swaps them. */
  reaperPorts?: (w: World, repository: string) => ReaperPorts;
}

/** One sequence on a fresh world; throws (an InvariantError) when an invariant breaks. */
export async function playSequence(cmds: Iterable<Cmd>, o: Pick<ModelRunOptions, 'reaperPorts'>): Promise<void> {
  const world = new World(REPOS);
  const real: Real = { world, runs: new Map(), reaperPorts: o.reaperPorts ?? worldReaperPorts };
  const model: Model = { prs: [], runs: [] };
  await fc.asyncModelRun(() => ({ model, real }), cmds);
  // The end of the story: no more faults, nothing in flight, the scheduled reaper runs.
  world.faults.splice(0);
  model.runs.splice(0);
  for (let pass = 0; pass < 2; pass++)
    for (const repo of REPOS) {
      await reapOnce(real, repo);
      syncFromGitHub(model, world);
      checkInvariants(model, world);
    }
  checkNothingOutlives(world);
}

/** The property over random command sequences. */
export function modelProperty(o: Omit<ModelRunOptions, 'numRuns'>) {
  return fc.asyncProperty(fc.commands(commandArbs, { maxCommands: o.maxCommands ?? 20, size: 'max' }), (cmds) =>
    playSequence(cmds, o),
  );
}

export interface ModelFailure {
  seed: number;
  path?: string;
  numRuns: number;
  /** The shrunk sequence, one command per line, as it played in its final replay. */
  story: string;
  error: string;
}

/**
 * Runs the property; on a failure the shrunk counterexample is replayed once more on a fresh world
 * (shrinking re-runs the same command objects, so their lines would show the last attempt, not it).
 */
export async function checkModel(o: ModelRunOptions): Promise<ModelFailure | undefined> {
  const r = await fc.check(modelProperty(o), { numRuns: o.numRuns, ...(o.seed === undefined ? {} : { seed: o.seed }) });
  if (!r.failed) return undefined;
  const cmds = r.counterexample![0] as Iterable<Cmd>;
  let error = String((r.errorInstance as Error | undefined)?.message);
  try {
    await playSequence(cmds, o);
  } catch (err) {
    error = (err as Error).message;
  }
  return {
    seed: r.seed,
    path: r.counterexamplePath ?? undefined,
    numRuns: r.numRuns,
    story: [...cmds].map((c) => `  ${String(c).replace(/ \/\*replayPath=.*\*\/$/, '')}`).join('\n'),
    error,
  };
}

/** A failure as the test prints it: how to reproduce it, the story, what broke. */
export function describeFailure(f: ModelFailure): string {
  return [
    `Invariant broken after ${f.numRuns} sequence(s). Reproduce: FC_SEED=${f.seed} npx vitest run test/model/model.test.ts`,
    `(fast-check path ${f.path ?? '?'}) Shrunk story:`,
    f.story,
    `→ ${f.error}`,
  ].join('\n');
}

/** From the environment: FC_RUNS (sequences), FC_SEED (reproduce a failure), FC_MAX_COMMANDS (longer stories for a soak). */
export function envParameters(defaultRuns: number): { numRuns: number; seed?: number; maxCommands?: number } {
  const runs = Number(process.env.FC_RUNS ?? defaultRuns);
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  const max = Number(process.env.FC_MAX_COMMANDS ?? 20);
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    ...(seed === undefined ? {} : { seed }),
    ...(max !== 20 && Number.isInteger(max) && max > 0 ? { maxCommands: max } : {}),
  };
}
