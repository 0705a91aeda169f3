/**
 * Issue 17 §3, the fault matrix: every cell of the testkit's `fault-matrix/cells.ts` runs the bundled action as the runner
 * does against the stand-ins with one fault armed, and must either survive it (retry/backoff, a
 * whole result) or fail cleanly (exit non-zero naming the system, nothing unmarked left, and the
 * next fault-free run finishing or removing what is there). `npm run bench -- fault-matrix` runs the
 * same table and writes the counts into BENCHMARKS.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemToolsAvailable } from '@preview-fleet/sandbox/registry';
import { CELLS } from '@preview-fleet/testkit/fault-matrix/cells';
import { cellName, runCell } from '@preview-fleet/testkit/fault-matrix/run-cell';
import { startMatrixWorld, type MatrixWorld } from '@preview-fleet/testkit/fault-matrix/world';

const registry = systemToolsAvailable();
if (!registry.registry) console.warn(`[skipped] fault-matrix registry and build-push cells: ${registry.reason}`);
const needsRegistry = (action: string) => action === 'build-push';

let w: MatrixWorld;
beforeAll(async () => {
  w = await startMatrixWorld();
}, 120_000);
afterAll(async () => w?.stopAll());

describe('fault matrix (issue 17 §3): system × fault × action, bundled and runner-style', () => {
  it('has at least 20 cells and covers every system', () => {
    expect(CELLS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CELLS.map((c) => c.system)).size).toBe(5);
    expect(new Set(CELLS.map(cellName)).size).toBe(CELLS.length);
  });

  for (const cell of CELLS) {
    it.skipIf(needsRegistry(cell.action) && !registry.registry)(
      cellName(cell),
      async () => {
        const r = await runCell(w, cell);
        expect(r.reasons, `${r.outcome}: ${r.error ?? ''}`).toEqual([]);
        expect(['survived', 'failed cleanly']).toContain(r.outcome);
      },
      180_000,
    );
  }
});
