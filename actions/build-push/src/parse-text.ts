/** build-push's two free-text inputs with their own grammar: `secrets` lines and the `content-tag` template. */
import { InputError, optional } from '@preview-fleet/core';
import { CONTENT_HASH_VARIABLE } from '@preview-fleet/core/registry';

/** A BuildKit secret id: what `RUN --mount=type=secret,id=…` names (no `,` or `=`, which the --secret flag splits on). */
const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `id=value` lines; the error names the line number and id, never the value. */
export function parseSecrets(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  raw.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const eq = line.indexOf('=');
    const id = eq < 0 ? '' : line.slice(0, eq).trim();
    if (eq <= 0 || !SECRET_ID.test(id)) {
      throw new InputError(
        'secrets',
        `line ${i + 1}`,
        'must hold one id=value per line, the id made of letters, digits, _ . - (as RUN --mount=type=secret,id=… names it)',
      );
    }
    if (out.has(id))
      throw new InputError('secrets', `line ${i + 1}`, `must not repeat an id (line ${i + 1} repeats "${id}")`);
    const value = line.slice(eq + 1);
    if (value === '') throw new InputError('secrets', `line ${i + 1}`, `must give secret "${id}" a value`);
    out.set(id, value);
  });
  return out;
}

/** The content-tag template, which must hold {{content_hash}}; empty turns content addressing off. */
export function parseContentTag(raw: string): string | undefined {
  const template = optional(raw);
  if (template !== undefined && !template.includes(CONTENT_HASH_VARIABLE)) {
    throw new InputError(
      'content-tag',
      raw,
      `must contain ${CONTENT_HASH_VARIABLE} (the hash of the build's inputs), or be empty to tag by the tag input alone`,
      'The default is build-{{content_hash}}',
    );
  }
  return template;
}
