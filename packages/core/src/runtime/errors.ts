/** An input that cannot be used: names the input, the value received and what is accepted. */
export class InputError extends Error {
  readonly input: string;
  readonly value: string;
  readonly accepted: string;
  readonly hint?: string;

  constructor(input: string, value: string, accepted: string, hint?: string) {
    const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
    super(`Input "${input}" ${accepted}, got "${shown}"${hint ? `. ${hint}` : ''}`);
    this.name = 'InputError';
    this.input = input;
    this.value = value;
    this.accepted = accepted;
    this.hint = hint;
  }
}

/** A failure of the outside world or of the lifecycle, with an optional fix for the reader. */
export class ActionError extends Error {
  readonly hint?: string;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ActionError';
    this.hint = options.hint;
  }
}

/** Text for anything thrown: Errors keep their message and hint, non-Errors are never swallowed. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const hint = (err as { hint?: string }).hint;
    return hint && !err.message.includes(hint) ? `${err.message}\nHint: ${hint}` : err.message;
  }
  if (typeof err === 'string') return err;
  if (err === undefined) return 'undefined was thrown';
  try {
    return `non-Error thrown: ${JSON.stringify(err)}`;
  } catch {
    return `non-Error thrown: ${String(err)}`;
  }
}
