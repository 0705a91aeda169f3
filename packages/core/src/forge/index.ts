export type { Forge, ForgeKind, ForgeNote } from './types.js';
export { githubForge } from './github.js';
export {
  changeRequestFromMergeRequest,
  gitlabCurrentUser,
  gitlabForge,
  gitlabStatus,
  type GitLabForgeOptions,
} from './gitlab.js';
export {
  GITLAB_TOKEN_ENV,
  NOTE_AUTHOR_ENV,
  gitlabNoteAuthor,
  forgeFromEnvironment,
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
