import { afterEach, describe, expect, it } from 'vitest';
import {
  containsSecret,
  DEFAULT_MIN_MASK_LENGTH,
  forgetSecrets,
  getMinMaskLength,
  redact,
  rememberSecret,
  REFUSE_MIN_LENGTH,
  setMinMaskLength,
} from '../src/index.js';

afterEach(() => forgetSecrets());

describe('the secret registry: short values are not masked, outputs refuse only long ones', () => {
  it('lines shorter than the minimum (default 4) are counted, not masked', () => {
    expect(DEFAULT_MIN_MASK_LENGTH).toBe(4);
    expect(rememberSecret('v')).toEqual({ added: [], tooShort: 1 });
    expect(rememberSecret('1')).toEqual({ added: [], tooShort: 1 });
    expect(rememberSecret('true')).toEqual({ added: ['true'], tooShort: 0 });
    expect(redact('v=1 created=true')).toBe('v=1 created=***');
  });

  it('multi-line values are masked line by line; their short lines are counted', () => {
    const pem = '-----BEGIN KEY-----\nMIIBlineOne9x8\n==\n-----END KEY-----';
    expect(rememberSecret(pem)).toEqual({
      added: ['-----BEGIN KEY-----', 'MIIBlineOne9x8', '-----END KEY-----'],
      tooShort: 1,
    });
    expect(redact('x MIIBlineOne9x8 y')).toBe('x *** y');
  });

  it('containsSecret (the output/state/summary guard) matches only values of at least 8 characters', () => {
    expect(REFUSE_MIN_LENGTH).toBe(8);
    rememberSecret('true');
    rememberSecret('eu-west');
    rememberSecret('eu-west-1');
    expect(containsSecret('created=true')).toBe(false);
    expect(containsSecret('region eu-west-2')).toBe(false);
    expect(containsSecret('https://vault.eu-west-1.example.com')).toBe(true);
  });

  it('the minimum is configurable (1 masks every non-empty line) and forgetSecrets restores the default', () => {
    setMinMaskLength(1);
    expect(rememberSecret('v')).toEqual({ added: ['v'], tooShort: 0 });
    expect(() => setMinMaskLength(0)).toThrow(RangeError);
    forgetSecrets();
    expect(getMinMaskLength()).toBe(4);
  });
});
