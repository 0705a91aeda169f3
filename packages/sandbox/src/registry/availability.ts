/** Whether this machine has the real podman and docker-registry binaries (installed by .ci/install-system.sh). */
import { spawnSync } from 'node:child_process';

export interface SystemTools {
  podman: boolean;
  registry: boolean;
  /** Why a tool is missing, for the skip message; absent when both are there. */
  reason?: string;
}

function runs(cmd: string, args: string[]): boolean {
  const out = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return out.error === undefined && out.status === 0;
}

/** Set to 1 to act as if podman were not installed (shows the sandbox's no-build path on a machine that has it). */
export const HIDE_PODMAN_ENV = 'PREVIEW_FLEET_HIDE_PODMAN';

/** Probes `podman --version` and `docker-registry --version` (cheap, no daemon involved). */
export function systemToolsAvailable(env: NodeJS.ProcessEnv = process.env): SystemTools {
  if (env[HIDE_PODMAN_ENV] === '1') {
    return {
      podman: false,
      registry: runs('docker-registry', ['--version']),
      reason: `podman hidden by ${HIDE_PODMAN_ENV}=1`,
    };
  }
  const podman = runs('podman', ['--version']);
  const registry = runs('docker-registry', ['--version']);
  const missing = [podman ? '' : 'podman', registry ? '' : 'docker-registry'].filter(Boolean);
  return missing.length === 0
    ? { podman, registry }
    : { podman, registry, reason: `${missing.join(' and ')} not installed (run .ci/install-system.sh as root)` };
}
