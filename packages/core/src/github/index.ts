export { createGitHubClient, statusOf, isReadOnlyTokenError, type GitHubClient, type GitHubClientOptions } from './client.js';
export { getPullRequest, listOpenPullRequests } from './pulls.js';
