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
export { findImage, type FoundImage } from './images.js';
export {
  findImageInRegistry,
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
