/**
 * Who "we" are on a PR: the login our status comments are written by. Anyone who can comment can
 * copy our marker and hidden JSON, so a comment counts as ours only when its author is this login.
 *
 * GITHUB_TOKEN writes as `github-actions[bot]` (the default). An App's installation token writes as
 * `<app-slug>[bot]` and a PAT as its user; `GET /user` answers 403 for installation tokens, so the
 * login is an input (`comment-author`) rather than something we ask GitHub for. Every comment we
 * create tells us who wrote it: a mismatch with the input is reported (see `authorMismatchHint`).
 * GitHub logins cannot contain `[`, so nobody can register a login ending in `[bot]`.
 */
import { InputError } from '../runtime/errors.js';

/** What GITHUB_TOKEN acts as inside Actions. */
export const DEFAULT_COMMENT_AUTHOR = 'github-actions[bot]';

/** A user login (1-39 letters, digits, hyphens; old accounts may have odd hyphens) or an App's bot login (`slug[bot]`). */
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\[bot\])?$/;

/** The `comment-author` input, validated (a GitHub login); empty is refused, never "anyone". */
export function parseCommentAuthor(input: string, value: string): string {
  const v = value.trim();
  if (!LOGIN.test(v)) {
    throw new InputError(
      input,
      value,
      'must be the GitHub login the github-token writes comments as, e.g. github-actions[bot], my-app[bot] or a user name',
      `GITHUB_TOKEN writes as ${DEFAULT_COMMENT_AUTHOR} (the default); a GitHub App token as <app-slug>[bot]; a personal access token as its user`,
    );
  }
  return v;
}

/** GitHub logins are case-insensitive. */
export function isAuthoredBy(login: string | undefined, author: string): boolean {
  return typeof login === 'string' && login.toLowerCase() === author.toLowerCase();
}

/** The explanation when a comment we just created came back written by someone else than `author`. */
export function authorMismatchHint(input: string, actual: string, author: string): string {
  return (
    `The status comment was written as "${actual}", but ${input} is "${author}": later updates will not recognise it as ours ` +
    `and will create another. Set ${input}: ${actual}`
  );
}
