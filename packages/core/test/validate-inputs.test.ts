import { afterEach, describe, expect, it } from 'vitest';
import { input, InputError, runAction, VALIDATE_INPUTS_ENV, VALIDATE_ONLY_ENV } from '../src/index.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('validate-only with input overlays (one process checks a step for every service)', () => {
  it("checks the step's own inputs, then each overlay on top of them", async () => {
    process.env[VALIDATE_ONLY_ENV] = 'true';
    process.env.INPUT_SERVICE = 'web';
    process.env.INPUT_TIMEOUT = '5m';
    process.env[VALIDATE_INPUTS_ENV] = JSON.stringify([{}, { service: 'api' }, { service: 'db' }]);
    const seen: string[] = [];
    await runAction(
      async () => {
        throw new Error('main must not run when only checking inputs');
      },
      { validate: () => seen.push(`${input.string('service')}/${input.string('timeout')}`) },
    );
    expect(seen).toEqual(['web/5m', 'api/5m', 'db/5m']);
  });

  it('fails the step on the first overlay whose inputs are refused', async () => {
    process.env[VALIDATE_ONLY_ENV] = 'true';
    process.env.INPUT_SERVICE = 'web';
    process.env[VALIDATE_INPUTS_ENV] = JSON.stringify([{}, { service: 'bad name!' }]);
    const codes: number[] = [];
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await runAction(async () => undefined, {
        validate: () => {
          const v = input.string('service');
          if (!/^[a-z]+$/.test(v)) throw new InputError('service', v, 'must be lower-case letters');
        },
        exit: (code) => codes.push(code),
      });
    } finally {
      process.stdout.write = write;
      process.exitCode = undefined;
    }
    expect(codes).toEqual([1]);
    expect(out.join('')).toContain('Input "service" must be lower-case letters, got "bad name!"');
  });
});
