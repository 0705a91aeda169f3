/**
 * The all-in-one action's backstop (runBundledStep's killAfterMs): a step that does not end by
 * itself is killed and reported as stopped; one that ends in time is left alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBundledStep } from '../../src/lifecycle/run-step.js';

const dir = mkdtempSync(join(tmpdir(), 'pf-run-step-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('runBundledStep killAfterMs', () => {
  it('kills a step that never ends and says so', async () => {
    const hangs = script('hangs.mjs', 'setInterval(() => {}, 1000);\n');
    const t0 = Date.now();
    const r = await runBundledStep(hangs, {}, { buffer: true, killAfterMs: 300 });
    expect(r).toMatchObject({ exitCode: 1, stopped: true });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('leaves a step that ends in time alone, with its outputs', async () => {
    const quick = script(
      'quick.mjs',
      "import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.GITHUB_OUTPUT, `said=${process.env.INPUT_WORD}\\n`);\n",
    );
    const r = await runBundledStep(quick, { word: 'hi' }, { buffer: true, killAfterMs: 60_000 });
    expect(r).toMatchObject({ exitCode: 0, stopped: false, outputs: { said: 'hi' } });
  });
});
