/**
 * The fault matrix (issue 17 §3) as a report: runs every cell of the same table as
 * `test/fault-matrix/fault-matrix.itg.test.ts` (bundled actions, runner-style, one fault armed on a
 * stand-in) and writes the counts — cells, survived, failed cleanly, anything else — and the
 * per-cell table into BENCHMARKS.md.
 */
import { CELLS } from '@preview-fleet/testkit/fault-matrix/cells';
import { runCell, type CellResult } from '@preview-fleet/testkit/fault-matrix/run-cell';
import { startMatrixWorld } from '@preview-fleet/testkit/fault-matrix/world';
import { writeSection } from './report.js';

const COMMAND = 'npm run build && npm run bench -- fault-matrix';
const cellText = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

export async function run(): Promise<string> {
  const w = await startMatrixWorld();
  const results: CellResult[] = [];
  const skipped: string[] = [];
  const started = Date.now();
  try {
    for (const cell of CELLS) {
      if (cell.action === 'build-push' && !w.registry) {
        skipped.push(`${cell.system} × ${cell.fault} × ${cell.action}`);
        continue;
      }
      const r = await runCell(w, cell);
      results.push(r);
      console.log(
        `${r.outcome.padEnd(14)} ${(r.ms / 1000).toFixed(1).padStart(5)}s  ${cell.system} × ${cell.fault} × ${cell.action}`,
      );
    }
  } finally {
    await w.stopAll();
  }
  const total = (Date.now() - started) / 1000;
  const count = (o: CellResult['outcome']) => results.filter((r) => r.outcome === o).length;
  const systems = new Set(results.map((r) => r.cell.system)).size;
  const actions = new Set(results.map((r) => r.cell.action)).size;
  const rows = results.map(
    (r) =>
      `| ${r.cell.system} | ${r.cell.fault} | ${r.cell.action} | ${cellText(r.cell.call)} | ${r.outcome} | ${(r.ms / 1000).toFixed(1)} | ${cellText(
        r.outcome === 'other' ? r.reasons.join('; ') : (r.error ?? '').slice(0, 160),
      )} |`,
  );
  const md = `## fault-matrix — every outside system × injected fault × action (issue 17 §3)

Each cell runs the **bundled** action as the runner does (\`runActionProcess\`, Node 24, real helm 4.1 /
kubectl 1.34) against the stand-ins with one fault armed *in the stand-in* (GitHub, Vault, the moto
proxy for ECR, a proxy in front of docker-registry, the Kubernetes API stand-in). A cell **survived**
when the action exited 0 with a whole result (retry / backoff); it **failed cleanly** when it exited
non-zero with an error naming the system, left nothing without our ownership marks, and the next
fault-free run (the action again, teardown, the reaper) finished or removed what was there. Anything
else is counted as **other** and fails \`test/fault-matrix/fault-matrix.itg.test.ts\`.
Latency cells stall one call for 2.5 s against \`request-timeout: 1s\`; "persistent" faults hit every
matching call.

Goal: ≥ 20 cells, every one survived or failed cleanly.

| cells | survived | failed cleanly | other | systems | actions | wall time |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${results.length} | ${count('survived')} | ${count('failed cleanly')} | ${count('other')} | ${systems} | ${actions} | ${total.toFixed(0)} s |
${skipped.length ? `\nNot run (no docker-registry on this machine): ${skipped.join(', ')}.\n` : ''}
| system | fault | action | call hit | outcome | s | error (clean failure) / reasons (other) |
| --- | --- | --- | --- | --- | ---: | --- |
${rows.join('\n')}

Command: \`${COMMAND}\` (the bundles under test are the built \`dist/\`).`;
  writeSection('fault-matrix', md);
  return md;
}
