/**
 * The process-wide set of masked values. The runner masks what `::add-mask::` registers in its
 * own log; we additionally redact these values from every message we build (errors, command
 * output), and refuse to write them to outputs, state or summaries.
 */
const masked = new Set<string>();

/** Records each non-empty line of `value` (the runner masks line by line, as vault-action does). */
export function rememberSecret(value: string): string[] {
  const added: string[] = [];
  for (const line of value.split(/\r?\n/)) {
    const v = line.trim();
    if (v.length === 0 || masked.has(v)) continue;
    masked.add(v);
    added.push(v);
  }
  return added;
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

/** True when `text` contains any masked value. */
export function containsSecret(text: string): boolean {
  for (const v of masked) if (text.includes(v)) return true;
  return false;
}

/** For tests: forget every masked value. */
export function forgetSecrets(): void {
  masked.clear();
}
