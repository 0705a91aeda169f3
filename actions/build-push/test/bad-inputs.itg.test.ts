import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoStandIn } from '../../../packages/sandbox/src/ecr/index.js';
import { BAD_INPUTS } from './bad-inputs.js';
import { makeWorkspace, runBuildPush } from './fixture.js';

let moto: MotoStandIn;
const ws = makeWorkspace();
beforeAll(async () => { moto = await startMoto(); }, 40_000);
afterAll(async () => { await moto?.stop(); ws.remove(); });

describe('build-push (bundled) refuses bad input before touching ECR', () => {
  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s: one ::error:: naming the input, no outputs', async (_name, c) => {
    const env = c.noRegion ? { ...moto.env, AWS_REGION: '' } : moto.env;
    const r = await runBuildPush({ pr: 30, inputs: c.inputs, env, cwd: ws.dir });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`Input "${c.input}"`);
    expect(errors[0]!.message).toMatch(c.message);
    expect(r.outputs).toEqual({});
    expect(r.leaks).toEqual([]);
  });

  it(`after all ${BAD_INPUTS.length} refusals moto saw no call at all (so no CreateRepository)`, async () => {
    expect(await moto.requestLog()).toEqual([]);
  });
});
