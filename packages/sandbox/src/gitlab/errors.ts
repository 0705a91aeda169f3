/**
 * GitLab's REST error bodies (Grape): `{"message": "404 Project Not Found"}` for status errors,
 * `{"error": "body is missing"}` for a missing required parameter (400),
 * `{"message": {"name": ["has already been taken"]}}` for model validation, and Rack::Attack's
 * plain-text "Retry later" for a throttled request (429).
 */
export class GitLabError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

/** `{"message": "<status> <what>"}`, e.g. "404 Merge Request Not Found". */
export const statusError = (status: number, text: string): GitLabError =>
  new GitLabError(status, { message: `${status} ${text}` });

export const unauthorized = (): GitLabError => statusError(401, 'Unauthorized');
export const forbidden = (): GitLabError => statusError(403, 'Forbidden');
/** GitLab answers 404 "Project Not Found" for a project the caller may not see, too. */
export const projectNotFound = (): GitLabError => statusError(404, 'Project Not Found');
export const notFound = (what?: string): GitLabError =>
  statusError(404, what === undefined ? 'Not found' : `${what} Not Found`);
/** Grape's missing-parameter answer. */
export const missingParam = (name: string): GitLabError => new GitLabError(400, { error: `${name} is missing` });
export const invalidParam = (name: string): GitLabError => new GitLabError(400, { error: `${name} is invalid` });
/** ActiveRecord validation errors as GitLab renders them (400). */
export const validation = (errors: Record<string, string[]>): GitLabError => new GitLabError(400, { message: errors });
/** The token is unknown, revoked or expired (GitLab: 401 with `error: invalid_token`). */
export const invalidToken = (description: string): GitLabError =>
  new GitLabError(401, { error: 'invalid_token', error_description: description });
