export type { Forge, ForgeKind, ForgeNote } from './types.js';
export { githubForge } from './github.js';
// The GitLab adapter (and @gitbeaker with it) is its own subpath, `@preview-fleet/core/forge/gitlab`:
// only the CLI bundles it.
export type { GitLabForgeOptions } from './gitlab.js';
export {
  GITLAB_TOKEN_ENV,
  NOTE_AUTHOR_ENV,
  gitlabNoteAuthor,
  forgeFromEnvironment,
  useGitLabForge,
  type GitLabForgeFactory,
  gitlabForgeOptions,
  parseGitLabUsername,
  readGitLabJob,
  type GitLabJob,
} from './environment.js';
export {
  announceTeardownNote,
  readStatusNotes,
  upsertStatusNote,
  type AnnounceNoteOptions,
  type StatusNoteRead,
  type StatusNoteResult,
} from './status-note.js';
