/**
 * GitHub behind the forge seam: today's code (pulls.ts, comment-upsert.ts), unchanged, reached
 * through the `Forge` interface. The GitHub actions keep calling their own paths; this adapter is
 * what the forge-generic lifecycle (reaper ports, the CLI) drives on GitHub.
 */
import { statusOf, type GitHubClient } from '../github/client.js';
import { listIssueComments } from '../github/comment-upsert.js';
import { getPullRequest, listOpenPullRequests } from '../github/pulls.js';
import type { Forge } from './types.js';

export function githubForge(client: GitHubClient, repository: string, serverUrl = 'https://github.com'): Forge {
  const [owner, repo] = repository.split('/') as [string, string];
  return {
    kind: 'github',
    repository,
    getChangeRequest: (n) => getPullRequest(client, repository, n),
    listOpenChangeRequests: () => listOpenPullRequests(client, repository),
    async listNotes(n) {
      const all = await listIssueComments(client, { owner, repo, issueNumber: n, author: '' });
      return all.map((c) => ({ id: c.id, body: c.body, createdAt: c.createdAt, url: c.htmlUrl, author: c.author }));
    },
    async createNote(n, body) {
      const { data } = await client.rest.issues.createComment({ owner, repo, issue_number: n, body });
      return { id: data.id, body, createdAt: data.created_at, url: data.html_url, author: data.user?.login };
    },
    async updateNote(_n, id, body) {
      await client.rest.issues.updateComment({ owner, repo, comment_id: id, body });
    },
    async deleteNote(_n, id) {
      try {
        await client.rest.issues.deleteComment({ owner, repo, comment_id: id });
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    },
    async addLabels(n, labels) {
      await client.rest.issues.addLabels({ owner, repo, issue_number: n, labels });
    },
    async close(n) {
      await client.rest.pulls.update({ owner, repo, pull_number: n, state: 'closed' });
    },
    changeRequestUrl: (n) => `${serverUrl.replace(/\/$/, '')}/${repository}/pull/${n}`,
  };
}
