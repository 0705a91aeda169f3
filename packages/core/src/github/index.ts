export {
  createGitHubClient,
  statusOf,
  isReadOnlyTokenError,
  type GitHubClient,
  type GitHubClientOptions,
} from './client.js';
export { getPullRequest, listOpenPullRequests } from './pulls.js';
export { DEFAULT_COMMENT_AUTHOR, authorMismatchHint, isAuthoredBy, parseCommentAuthor } from './comment-author.js';
export {
  PREVIEW_STATES,
  SLEEP_NOTES,
  COMMENT_MARKER,
  SECTION_MARKER,
  applyUpdate,
  canonicalSection,
  compareSections,
  encodeMeta,
  isStatusComment,
  mergeSections,
  normalizeSection,
  parseStatusComment,
  sameContent,
  sectionFromJson,
  type ApplyResult,
  type PreviewState,
  type ServiceSection,
} from './comment-model.js';
export {
  COMMENT_BODY_LIMIT,
  STATE_LABEL,
  renderStatusComment,
  renderStatusTable,
  truncateDetails,
  type RenderContext,
} from './comment-render.js';
export {
  CONCURRENT_WINDOW_MS,
  findStatusComments,
  listIssueComments,
  othersActive,
  readStatusComments,
  upsertStatusComment,
  writeStatusComment,
  type StatusCommentTarget,
  type StatusCommentsRead,
  type StoredComment,
  type UpsertResult,
} from './comment-upsert.js';
export {
  cachedDeployment,
  forbiddenHint,
  publishPreviewStatus,
  type PublishProblem,
  type PublishResult,
  type PublishStatusOptions,
} from './comment-status.js';
export {
  createDeploymentStatus,
  deactivateAndDeleteDeployments,
  deactivateDeployments,
  deploymentMarks,
  deploymentStatusFor,
  ensureDeployment,
  getDeployment,
  isOurDeployment,
  listDeployments,
  listPreviewEnvironments,
  type DeploymentMarks,
  type DeploymentStatusState,
  type DeploymentSummary,
  type EnsureDeploymentOptions,
  type PreviewEnvironment,
  type RepoRef,
  type StatusOptions,
} from './deployments.js';
export { hasWriteAccess, previewCommand } from './permission.js';
