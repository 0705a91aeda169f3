/**
 * `@preview-fleet/core/registry`: the PR's own ECR repository (marks, scan-on-push, lifecycle
 * policy), image lookup, registry login from an ECR token, build-and-push with a registry layer
 * cache, and removal / inventory of only the repositories we marked.
 */
export {
  createEcrSession,
  classifyEcrError,
  awsErrorName,
  resolveRegion,
  requireRegion,
  type EcrSession,
  type EcrSessionOptions,
} from './client.js';
export {
  ensureRepository,
  lifecyclePolicy,
  repositoryMarks,
  KEEP_IMAGES_MAX,
  type EnsureRepositoryOptions,
  type EnsuredRepository,
} from './repository.js';
export { findImage, tagImageInEcr, type FoundImage } from './images.js';
export {
  computeContentHash,
  contentHashOf,
  contextDigest,
  hashFiles,
  renderContentTag,
  CONTENT_HASH_LENGTH,
  CONTENT_HASH_VARIABLE,
  type BuildInputs,
  type ContentHash,
  type ContextDigest,
} from './content-hash.js';
export {
  findImageInRegistry,
  tagImageInRegistry,
  type RegistryTagRequest,
  parseChallenge,
  registryBaseUrl,
  MANIFEST_TYPES,
  type RegistryImageQuery,
  type RegistryLookup,
} from './manifest.js';
export {
  registryLogin,
  ecrCredentials,
  decodeAuthorizationToken,
  type EcrCredentials,
  BUILDERS,
  type Builder,
  type RegistryLogin,
  type RegistryLoginOptions,
} from './login.js';
export {
  buildAndPush,
  buildCommands,
  displayArgv,
  secretEnv,
  secretEnvName,
  cacheRepositoryFor,
  classifyRegistryError,
  CACHE_TAG,
  type BuildOptions,
  type BuildResult,
} from './build.js';
export {
  removeEcrRepository,
  listMarkedRepositories,
  type RemoveRepositoryOptions,
  type MarkedRepository,
} from './removal.js';
export { isRegistryHost } from './host.js';
export { authFiles, savedCredentials } from './auth-file.js';
export { imageStore, type ImageStore, type ImageStoreOptions } from './image-store.js';
