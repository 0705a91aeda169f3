import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoStandIn } from '@preview-fleet/sandbox/ecr';
import { BAD_INPUTS } from './bad-inputs.js';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { actionDir, makeWorkspace, MOTO_PASSWORD, MOTO_TOKEN, REPOSITORY, runBuildPush } from './fixture.js';

let moto: MotoStandIn;
const ws = makeWorkspace();
beforeAll(async () => {
  moto = await startMoto();
}, 40_000);
afterAll(async () => {
  await moto?.stop();
  ws.remove();
});

describe('build-push (bundled) refuses bad input before touching ECR', () => {
  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))(
    '%s: one ::error:: naming the input, no outputs',
    async (_name, c) => {
      const env = c.noRegion ? { ...moto.env, AWS_REGION: '' } : moto.env;
      const r = await runBuildPush({ pr: 30, inputs: c.inputs, env, cwd: ws.dir });
      expect(r.exitCode).toBe(1);
      const errors = r.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain(`Input "${c.input}"`);
      expect(errors[0]!.message).toMatch(c.message);
      expect(r.outputs).toEqual({});
      expect(r.leaks).toEqual([]);
    },
  );

  it("a fork PR's head (pull_request and pull_request_target) is never built: one ::error::, no outputs (issue 14 item 14)", async () => {
    for (const eventName of ['pull_request', 'pull_request_target']) {
      const r = await runActionProcess(actionDir, {
        inputs: {},
        event: pullRequestEvent('synchronize', {
          number: 31,
          repository: REPOSITORY,
          headSha: 'c'.repeat(40),
          fork: true,
        }),
        eventName,
        repository: REPOSITORY,
        env: moto.env,
        cwd: ws.dir,
        secrets: [MOTO_PASSWORD, MOTO_TOKEN],
        timeoutMs: 60_000,
      });
      expect(r.exitCode, r.log).toBe(1);
      expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
        expect.stringMatching(/^Refusing to build and push an image for PR #31: its head .* comes from a fork/),
      ]);
      expect(r.outputs).toEqual({});
    }
  });

  it(`after all ${BAD_INPUTS.length} refusals and the fork refusals moto saw no call at all (so no CreateRepository)`, async () => {
    expect(await moto.requestLog()).toEqual([]);
  });
});
