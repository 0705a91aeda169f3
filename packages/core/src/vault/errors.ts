/**
 * node-vault rejects with errors that carry the request: axios network errors keep `config.data`
 * (the JSON body — secret values on a write) and `config.headers` (X-Vault-Token), and
 * `ApiResponseError` keeps `response.body`. None of that may reach a log, so every failure is
 * rebuilt here from three safe facts: the operation we describe, the HTTP status and Vault's own
 * first error line (redacted), plus the network error code for the retry classifier.
 */
import { ActionError, redact } from '../runtime/index.js';

/** A Vault call that failed; carries no request options, body, headers or token. */
export class VaultRequestError extends ActionError {
  /** HTTP status, or undefined for a network failure. */
  readonly status?: number;
  /** Node's network error code (ECONNREFUSED …), kept for `classifyTransient`. */
  readonly code?: string;
  /** Vault's first error line, redacted ('' when Vault sent none, e.g. 404 `{"errors":[]}`). */
  readonly vaultMessage: string;
  /** The HTTP method (GET, POST …) when known: whether a retry after a timeout is safe. */
  readonly method?: string;

  constructor(
    operation: string,
    facts: { status?: number; code?: string; vaultMessage: string; method?: string },
    hint?: string,
  ) {
    const what = facts.status !== undefined ? `HTTP ${facts.status}` : (facts.code ?? 'network error');
    super(`Vault ${operation} failed: ${what}${facts.vaultMessage ? ` (${facts.vaultMessage})` : ''}`, { hint });
    this.name = 'VaultRequestError';
    this.status = facts.status;
    this.code = facts.code;
    this.vaultMessage = facts.vaultMessage;
    this.method = facts.method;
  }
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Vault wraps errors as "1 error occurred:\n\t* permission denied\n\n"; keep "permission denied". */
function oneLine(message: string): string {
  return message
    .replace(/^\s*\d+ errors? occurred:\s*/, '')
    .replace(/\s*\n\s*\*?\s*/g, '; ')
    .replace(/^\*\s*/, '')
    .replace(/[;\s]+$/, '')
    .slice(0, 300);
}

/** Rebuilds any node-vault / axios / network error as a VaultRequestError holding only safe facts. */
export function sanitizeVaultError(err: unknown, operation: string): VaultRequestError {
  if (err instanceof VaultRequestError) return err;
  const response = field(err, 'response');
  const statusRaw = field(response, 'statusCode') ?? field(response, 'status');
  const status = typeof statusRaw === 'number' ? statusRaw : undefined;
  const body = field(response, 'body') ?? field(response, 'data');
  const errors = field(body, 'errors');
  let vaultMessage = Array.isArray(errors) && typeof errors[0] === 'string' ? errors[0] : '';
  // A body-less response: node-vault invents "Status 503"; keep nothing but the status.
  if (!vaultMessage && status === undefined && err instanceof Error && !field(err, 'config')) {
    vaultMessage = err.message;
  }
  let code: string | undefined;
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++, e = field(e, 'cause')) {
    const c = field(e, 'code');
    if (typeof c === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(c)) {
      code = c;
      break;
    }
  }
  const method = field(field(err, 'config'), 'method');
  return new VaultRequestError(operation, {
    status,
    code,
    vaultMessage: redact(oneLine(vaultMessage)),
    method: typeof method === 'string' ? method.toUpperCase() : undefined,
  });
}
