/**
 * Runs one fault-matrix cell and classifies it:
 * - `survived`: exit 0 and the result is whole (the action retried / backed off through the fault);
 * - `failed cleanly`: exit non-zero, one error naming the system, nothing left unmarked, and the
 *   next fault-free run (the action again, teardown's re-run, the reaper) finishes or removes it;
 * - `other`: anything else (a hang, a success with a half-made result, an unnamed error, a leak,
 *   an unmarked leftover, a contract violation) — each with its reasons.
 */
import type { ActionRun } from '../run-action-process.js';
import { NAMES, type Cell } from './cells.js';
import { SCENARIOS } from './scenarios.js';
import { residueOf, residueProblems, type MatrixWorld } from './world.js';

export type Outcome = 'survived' | 'failed cleanly' | 'other';

export interface CellResult {
  cell: Cell;
  outcome: Outcome;
  /** Why an `other`, or notes (the error line of a clean failure). */
  reasons: string[];
  /** The first error annotation, when the run failed. */
  error?: string;
  ms: number;
}

export const cellName = (c: Cell): string => `${c.system} × ${c.fault} × ${c.action} (${c.call})`;

export async function runCell(w: MatrixWorld, cell: Cell): Promise<CellResult> {
  const scenario = SCENARIOS[cell.action];
  const ctx = await scenario.prepare(w);
  w.gh.resetCounters();
  cell.arm(w, ctx);
  const started = Date.now();
  let run: ActionRun;
  try {
    run = await scenario.run(w, ctx, cell.inputs ?? {});
  } finally {
    w.clearFaults();
  }
  const ms = Date.now() - started;
  const reasons: string[] = [];
  if (run.leaks.length > 0) reasons.push(`leaked: ${run.leaks.join(', ')}`);
  const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
  let outcome: Outcome;
  if (run.exitCode === 0) {
    reasons.push(...(await scenario.complete(w, ctx, run)));
    if (ctx.pr > 0) reasons.push(...residueProblems(await residueOf(w, ctx.pr)));
    outcome = 'survived';
  } else {
    if (errors.length === 0) reasons.push(`exit ${run.exitCode} without an error annotation: ${run.log.slice(-400)}`);
    else if (!NAMES[cell.system].test(errors.join('\n')))
      reasons.push(`the error does not name ${cell.system}: ${errors.join(' | ')}`);
    if (ctx.pr > 0) reasons.push(...residueProblems(await residueOf(w, ctx.pr)));
    reasons.push(...(await scenario.recover(w, ctx)));
    outcome = 'failed cleanly';
  }
  reasons.push(...contractViolations(w));
  return { cell, outcome: reasons.length === 0 ? outcome : 'other', reasons, error: errors[0], ms };
}

/** Contract mismatches the stand-ins saw during the cell (then forgotten, so they never leak into the next cell). */
function contractViolations(w: MatrixWorld): string[] {
  const github = w.gh.contractViolations().map((v) => `GitHub contract: ${v}`);
  try {
    w.gh.assertContract();
  } catch {
    // listed above; assertContract is what forgets them
  }
  return [...github, ...w.vault.contractViolations.splice(0).map((v) => `Vault contract: ${v}`)];
}
