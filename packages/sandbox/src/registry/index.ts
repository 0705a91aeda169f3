/**
 * Registry and builder stand-in: Debian's `docker-registry` on loopback, plus the environment that
 * lets the real `podman` build and push to it with build-push's production command line.
 *
 * @example
 * const tools = systemToolsAvailable();           // skip with tools.reason when false
 * const registry = await startRegistry();          // registry.host = '127.0.0.1:PORT'
 * const env = { ...process.env, ...podmanEnv({ registryHost: registry.host, workDir }) };
 * // podman login --password-stdin HOST; podman build --tag HOST/repo:tag --cache-from HOST/repo
 * //   --cache-to HOST/repo -f Dockerfile ctx; podman push --digestfile f HOST/repo:tag
 * await registry.stop();
 *
 * Notes: the registry has no auth, so `podman login` with the ECR token's password succeeds;
 * podman's cache repository must be a bare repository (see ./podman-env.ts), and its cache
 * entries are tags in that repository. `prebuiltImage` gets an image in without podman.
 * `startRegistryProxy` puts a loopback proxy in front that injects a registry's faults.
 */
export { startRegistry, type RegistryStandIn } from './registry-process.js';
export { podmanEnv, type PodmanEnvOptions } from './podman-env.js';
export { HIDE_PODMAN_ENV, systemToolsAvailable, type SystemTools } from './availability.js';
export { prebuiltImage, type PrebuiltImage } from './prebuilt-image.js';
export { startRegistryProxy, type RegistryFault, type RegistryProxy } from './registry-proxy.js';
