/**
 * GitHub's error bodies: `{ message, documentation_url, status }` (the string `status` field was
 * added to REST error bodies in 2024), and for 422 `{ message: "Validation Failed", errors: [...] }`.
 */
export interface ValidationErrorItem {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
  value?: string | number | string[] | null;
}

export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (): GitHubError => new GitHubError(404, 'Not Found');

/** 422 with GitHub's `errors[]` items (code: missing_field, missing, invalid, already_exists, custom). */
export const validationFailed = (...errors: ValidationErrorItem[]): GitHubError =>
  new GitHubError(422, 'Validation Failed', { errors });

/** What a fork PR's read-only GITHUB_TOKEN gets on every write. */
export const notAccessible = (): GitHubError => new GitHubError(403, 'Resource not accessible by integration');

export const requiresAuthentication = (): GitHubError => new GitHubError(401, 'Requires authentication');

export const badCredentials = (): GitHubError => new GitHubError(401, 'Bad credentials');

/** The body GitHub sends for invalid JSON. */
export const problemsParsingJson = (): GitHubError => new GitHubError(400, 'Problems parsing JSON');
