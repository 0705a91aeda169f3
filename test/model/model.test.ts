/**
 * Issue 17 §1: "no environment outlives its PR, and nothing live is destroyed" under random event
 * sequences with injected faults, over core's real lifecycle code (see world.ts for what runs
 * in-process and why). FC_RUNS sets the number of sequences (default 10,000), FC_SEED reproduces one.
 */
import { describe, expect, it } from 'vitest';
import { checkModel, describeFailure, envParameters } from './run-model.js';

describe('the lifecycle model (two repositories, one cluster, one Vault, one ECR)', () => {
  it('keeps every invariant after every command and leaves nothing behind after the final reaper run', async () => {
    const failure = await checkModel(envParameters(10_000));
    expect(failure && describeFailure(failure)).toBeUndefined();
  }, 300_000);
});
