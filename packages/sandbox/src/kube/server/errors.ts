/**
 * The apiserver's `Status` errors with the reasons and codes clients branch on.
 */
import type { KubeObject } from '../storage/store.js';

/**
 * An API failure as the real apiserver reports it: a `Status` object whose `reason` and `code`
 * clients branch on (kubectl's `--ignore-not-found`, helm's "already exists" handling).
 */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: object,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The `meta.k8s.io/v1 Status` body sent to the client. */
  toStatus(): KubeObject {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {} as KubeObject['metadata'],
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `<resource>[.<group>] "<name>" not found`, the text kubectl prints after "Error from server (NotFound):". */
export function notFound(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(404, 'NotFound', `${qualified} "${name}" not found`, { name, group, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(409, 'AlreadyExists', `${qualified} "${name}" already exists`, { name, group, kind: resource });
}

/** The optimistic-concurrency failure helm and kubectl retry on. */
export function conflict(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: resource },
  );
}

/** 422 with one cause per field, like `Deployment.apps "x" is invalid: spec.template: Required value`. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: Array<{ field: string; message: string; reason?: string }>,
): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${text}`, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}
