/**
 * Readers for the runner's `INPUT_*` values, built on the pure parsers. Defaults live in each
 * action.yml (the runner fills them in); `required` only guards inputs with no default.
 */
import { InputError } from './errors.js';
import {
  parseBoolean,
  parseDuration,
  parseEnum,
  parseInteger,
  parseKeyValueMap,
  parseList,
  parseUrl,
} from './parse.js';
import { getMinMaskLength, rememberSecret } from './secrets.js';
import { toolkit } from './toolkit.js';

export interface ReadOptions {
  /** Fail with an InputError when the input is empty. */
  required?: boolean;
}

function raw(name: string, options: ReadOptions = {}): string {
  const value = toolkit.getInput(name);
  if (options.required && value.trim() === '') {
    throw new InputError(name, value, 'is required and must not be empty');
  }
  return value;
}

export const input = {
  /** The raw text, trimmed; '' when unset. */
  string(name: string, options?: ReadOptions): string {
    return raw(name, options).trim();
  },
  /** The text or undefined when empty. */
  optional(name: string): string | undefined {
    const v = raw(name).trim();
    return v === '' ? undefined : v;
  },
  boolean(name: string, options?: ReadOptions): boolean {
    return parseBoolean(name, raw(name, { required: true, ...options }));
  },
  integer(name: string, bounds?: { min?: number; max?: number }): number {
    return parseInteger(name, raw(name, { required: true }), bounds);
  },
  duration(name: string, bounds?: { minMs?: number; maxMs?: number }): number {
    return parseDuration(name, raw(name, { required: true }), bounds);
  },
  enum<T extends string>(name: string, allowed: readonly T[]): T {
    return parseEnum(name, raw(name, { required: true }), allowed);
  },
  list(name: string, options?: ReadOptions): string[] {
    const items = parseList(name, raw(name, options));
    if (options?.required && items.length === 0) throw new InputError(name, '', 'must list at least one item');
    return items;
  },
  map(name: string, keyPattern?: RegExp): Map<string, string> {
    return parseKeyValueMap(name, raw(name), keyPattern);
  },
  url(name: string, options?: ReadOptions): URL | undefined {
    const v = raw(name, options).trim();
    return v === '' ? undefined : parseUrl(name, v);
  },
  /** A secret: every line is masked the moment it is read, before any validation can echo it. */
  secret(name: string, options?: ReadOptions): string {
    const value = toolkit.getInput(name);
    if (maskSecret(value).tooShort > 0) toolkit.notice(shortValueNotice(`Input "${name}"`));
    if (options?.required && value.trim() === '') {
      throw new InputError(name, '', 'is required and must not be empty');
    }
    return value.trim();
  },
};

/**
 * Masks every line of `value` for the runner's log and for our own redaction; lines shorter than
 * the minimum mask length are left unmasked and counted in `tooShort` (the caller says which key).
 */
export function maskSecret(value: string): { tooShort: number } {
  const { added, tooShort } = rememberSecret(value);
  for (const line of added) toolkit.setSecret(line);
  return { tooShort };
}

/** The notice for a value (or some lines of it) left unmasked; names `what` (a key or input), never the value. */
export function shortValueNotice(what: string): string {
  return (
    `${what}: a value (or a line of one) shorter than ${getMinMaskLength()} characters (min-mask-length) is not masked: ` +
    'a value that short matches ordinary log text, so masking it would garble the log without protecting anything.'
  );
}

/**
 * Reads every named input at once, as an action's `readRawInputs` does before its pure
 * `parseInputs`: `secrets` are masked line by line the moment they are read, `untrimmed` keep
 * their inner and trailing whitespace (e.g. build args), everything else is trimmed.
 */
export function readInputs<N extends string>(
  names: readonly N[],
  o: { secrets?: readonly N[]; untrimmed?: readonly N[] } = {},
): Partial<Record<N, string>> {
  const out: Partial<Record<N, string>> = {};
  for (const name of names) {
    out[name] = o.secrets?.includes(name)
      ? input.secret(name)
      : o.untrimmed?.includes(name)
        ? (input.optional(name) ?? '')
        : input.string(name);
  }
  return out;
}
