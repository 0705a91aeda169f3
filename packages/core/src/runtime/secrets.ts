/**
 * The process-wide set of masked values. The runner masks what `::add-mask::` registers in its
 * own log; we additionally redact these values from every message we build (errors, command
 * output), and refuse to write the long ones to outputs, state or summaries.
 *
 * Short values are not masked at all (google-github-actions/get-secretmanager-secrets'
 * `min_mask_length`, default 4; Airflow's minimum masked length): masking `1`, `v` or `true`
 * turns every log line into stars and makes ordinary outputs look like leaks. Only values of at
 * least {@link REFUSE_MIN_LENGTH} characters make outputs, state and summaries refuse: below that a
 * match (`created=true` against a secret `true`) is more likely chance than a leak.
 */
const masked = new Set<string>();

/** Lines shorter than this are not masked unless an action configures otherwise (input `min-mask-length`). */
export const DEFAULT_MIN_MASK_LENGTH = 4;

/** Outputs, state and summaries refuse only masked values at least this long (a match cannot be chance). */
export const REFUSE_MIN_LENGTH = 8;

let minMaskLength = DEFAULT_MIN_MASK_LENGTH;

/** Sets the shortest line that is masked from now on (values registered earlier stay masked). */
export function setMinMaskLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 1)
    throw new RangeError(`min mask length must be a positive integer, got ${length}`);
  minMaskLength = length;
}

/** The shortest line that is masked. */
export function getMinMaskLength(): number {
  return minMaskLength;
}

/** What `rememberSecret` did with a value's lines. */
export interface RememberResult {
  /** Lines newly registered (to pass on to the runner's `::add-mask::`). */
  added: string[];
  /** Non-empty lines left unmasked because they are shorter than the minimum. */
  tooShort: number;
}

/**
 * Records each non-empty line of `value` (the runner masks line by line, as vault-action does);
 * lines shorter than the minimum mask length are counted, not recorded.
 */
export function rememberSecret(value: string): RememberResult {
  const result: RememberResult = { added: [], tooShort: 0 };
  for (const line of value.split(/\r?\n/)) {
    const v = line.trim();
    if (v.length === 0) continue;
    if (v.length < minMaskLength) {
      result.tooShort += 1;
      continue;
    }
    if (masked.has(v)) continue;
    masked.add(v);
    result.added.push(v);
  }
  return result;
}

/** Replaces every masked value in `text` with `***` (longest first, so overlaps redact fully). */
export function redact(text: string): string {
  if (masked.size === 0) return text;
  let out = text;
  for (const v of [...masked].sort((a, b) => b.length - a.length)) {
    if (out.includes(v)) out = out.split(v).join('***');
  }
  return out;
}

/**
 * True when `text` contains a masked value of at least REFUSE_MIN_LENGTH characters (shorter
 * masked values are redacted from messages but may occur in outputs by chance).
 */
export function containsSecret(text: string): boolean {
  for (const v of masked) if (v.length >= REFUSE_MIN_LENGTH && text.includes(v)) return true;
  return false;
}

/** For tests: forget every masked value and restore the default minimum. */
export function forgetSecrets(): void {
  masked.clear();
  minMaskLength = DEFAULT_MIN_MASK_LENGTH;
}
