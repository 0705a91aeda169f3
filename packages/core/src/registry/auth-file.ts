/**
 * The builder's saved login for a registry, for the manifest API calls build-push makes itself
 * (lookup, adding the head-SHA tag) with `ecr: false`, where the workflow logged in beforehand
 * (docker/login-action, `podman login`). Only a plain `auths.<host>.auth` entry is read; a
 * credential helper (`credsStore`, `credHelpers`) yields nothing and the calls go anonymous.
 * Files, in the builders' own order: podman `REGISTRY_AUTH_FILE`, then
 * `$XDG_RUNTIME_DIR/containers/auth.json`; docker `$DOCKER_CONFIG/config.json`, then
 * `~/.docker/config.json` (podman reads that one too).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { maskSecret } from '../runtime/index.js';
import type { Builder } from './login.js';

/** The auth files a builder reads, most specific first. */
export function authFiles(builder: Builder, env: Record<string, string | undefined> = process.env): string[] {
  const docker = [
    env.DOCKER_CONFIG && join(env.DOCKER_CONFIG, 'config.json'),
    join(homedir(), '.docker', 'config.json'),
  ];
  const podman = [env.REGISTRY_AUTH_FILE, env.XDG_RUNTIME_DIR && join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')];
  return (builder === 'podman' ? [...podman, ...docker] : docker).filter((f): f is string => !!f);
}

/** Basic credentials saved for `host`, masked as read; undefined when no file holds a plain entry. */
export function savedCredentials(
  builder: Builder,
  host: string,
  env: Record<string, string | undefined> = process.env,
): { username: string; password: string } | undefined {
  for (const file of authFiles(builder, env)) {
    if (!existsSync(file)) continue;
    let auths: Record<string, { auth?: string }> | undefined;
    try {
      auths = (JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> }).auths;
    } catch {
      continue;
    }
    const entry = auths?.[host] ?? auths?.[`https://${host}`];
    if (!entry?.auth) continue;
    maskSecret(entry.auth);
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    const password = text.slice(colon + 1);
    maskSecret(password);
    return { username: text.slice(0, colon), password };
  }
  return undefined;
}
