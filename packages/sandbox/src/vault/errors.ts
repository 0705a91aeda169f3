/**
 * Vault's error envelope is `{"errors":[...]}`; a miss is 404 with an empty list (Vault API docs,
 * "HTTP Status Codes": 404 "Invalid path. This can both mean that the path truly doesn't exist or
 * that you don't have permission to view a specific path").
 */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    /** Some misses still carry data, e.g. KV v2 reading a deleted version returns its metadata with 404. */
    readonly data?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.join('; ') || `status ${status}`);
  }
}

/** 404 with `{"errors":[]}`, what Vault answers for a path with nothing there. */
export const notFound = (data?: unknown): VaultError => new VaultError(404, [], data);

/** 400 with one message (Vault's `logical.ErrorResponse`). */
export const badRequest = (message: string): VaultError => new VaultError(400, [message]);

/** ACL denial with a valid token; Vault 1.x wraps it in a multierror. */
export const permissionDenied = (): VaultError => new VaultError(403, ['1 error occurred:\n\t* permission denied\n\n']);

/** Unknown, expired or revoked token. */
export const invalidToken = (): VaultError =>
  new VaultError(403, ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n']);

/** No X-Vault-Token on an authenticated path. */
export const missingToken = (): VaultError => new VaultError(403, ['permission denied']);

/** Every path but sys/seal-status and sys/health while sealed. */
export const sealed = (): VaultError => new VaultError(503, ['Vault is sealed']);

/** No mount or handler at this path. */
export const noHandler = (path: string): VaultError =>
  new VaultError(404, [`no handler for route "${path}". route entry not found.`]);

/** Method the path does not support. */
export const unsupportedOperation = (): VaultError =>
  new VaultError(405, ['1 error occurred:\n\t* unsupported operation\n\n']);
