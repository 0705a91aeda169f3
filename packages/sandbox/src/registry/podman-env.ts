/**
 * The environment that makes podman (Debian 12: 4.3.1) build and push to the loopback registry
 * with exactly the command line build-push uses in production — no test-only flags:
 * - CONTAINERS_REGISTRIES_CONF marks the registry `insecure` (plain http on loopback);
 * - CONTAINERS_STORAGE_CONF selects the `vfs` driver (no overlay/fuse needed in a container) with
 *   graphroot/runroot inside `workDir`, so tests never touch /var/lib/containers;
 * - CONTAINERS_CONF: cgroupfs (no systemd), file events logger, host network namespace (RUN steps
 *   need no netavark/CNI), tmp dir in `workDir`;
 * - BUILDAH_ISOLATION=chroot: `podman build` reads it as the default for `--isolation`;
 * - REGISTRY_AUTH_FILE keeps `podman login` credentials in `workDir` instead of /run/containers.
 *
 * Facts verified against podman 4.3.1 here: `podman buildx build` is an alias of `podman build`;
 * `--cache-from`/`--cache-to` take a bare repository (`host/repo`) — a tag, a digest or buildx's
 * `type=registry,ref=…` form is rejected ("repository must contain neither a tag nor digest");
 * cache layers are pushed into that repository as tags named by the 64-hex cache key.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PodmanEnvOptions {
  /** 127.0.0.1:PORT of the registry stand-in. */
  registryHost: string;
  /** A directory owned by the test; config files, image storage and auth go below it. */
  workDir: string;
}

/** Writes the three config files into `workDir` and returns the variables that point podman at them. */
export function podmanEnv(opts: PodmanEnvOptions): Record<string, string> {
  const dir = opts.workDir;
  for (const sub of ['graph', 'run', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const registries = join(dir, 'registries.conf');
  writeFileSync(
    registries,
    [
      'unqualified-search-registries = []',
      '[[registry]]',
      `location = ${JSON.stringify(opts.registryHost)}`,
      'insecure = true',
      '',
    ].join('\n'),
  );
  const storage = join(dir, 'storage.conf');
  writeFileSync(
    storage,
    [
      '[storage]',
      'driver = "vfs"',
      `graphroot = ${JSON.stringify(join(dir, 'graph'))}`,
      `runroot = ${JSON.stringify(join(dir, 'run'))}`,
      '',
    ].join('\n'),
  );
  const containers = join(dir, 'containers.conf');
  writeFileSync(
    containers,
    [
      '[containers]',
      'netns = "host"',
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = ${JSON.stringify(join(dir, 'events.log'))}`,
      `tmp_dir = ${JSON.stringify(join(dir, 'tmp'))}`,
      '',
    ].join('\n'),
  );
  return {
    CONTAINERS_REGISTRIES_CONF: registries,
    CONTAINERS_STORAGE_CONF: storage,
    CONTAINERS_CONF: containers,
    BUILDAH_ISOLATION: 'chroot',
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
  };
}
