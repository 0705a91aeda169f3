/**
 * Who may steer a preview from a PR comment (`/preview wake`): someone with write access, as
 * GitHub says it (`GET /repos/{owner}/{repo}/collaborators/{username}/permission`: admin, write —
 * maintain is folded into write — read or none). Anything else, or GitHub not answering, is "no".
 */
import type { GitHubClient } from './client.js';

/** True only when GitHub says `login` has write (or admin) access to `repository`. */
export async function hasWriteAccess(client: GitHubClient, repository: string, login: string): Promise<boolean> {
  const [owner, repo] = repository.split('/') as [string, string];
  const r = await client.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
  return r.data.permission === 'admin' || r.data.permission === 'write';
}

/** The command a comment carries: `/preview wake` on its first line (case and spacing forgiven). */
export function previewCommand(body: string | undefined): 'wake' | undefined {
  const first = (body ?? '').trimStart().split('\n')[0]!.trim().toLowerCase().replace(/\s+/g, ' ');
  return first === '/preview wake' ? 'wake' : undefined;
}
