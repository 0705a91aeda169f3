/**
 * The preview's basic-auth credentials (issue 16 part 2): generated on the first deploy and kept
 * in the PR's own Vault path, beside its values, so a developer finds them where they edit the
 * rest. Written with check-and-set on the version just read (KV v2), so two deploys racing keep
 * one password; the caller has already checked the path carries this PR's marks.
 */
import { randomBytes } from 'node:crypto';
import { maskSecret } from '../runtime/index.js';
import type { VaultRequestError } from './errors.js';
import { dataPath, metadataPath, type KvVersion } from './paths.js';
import type { VaultSession } from './session.js';

/** The keys of the PR's Vault path that hold the preview's login. */
export const BASIC_AUTH_KEYS = { user: 'PREVIEW_BASIC_AUTH_USER', password: 'PREVIEW_BASIC_AUTH_PASSWORD' } as const;
export const BASIC_AUTH_USER = 'preview';

export interface BasicAuthCredentials {
  user: string;
  password: string;
  /** Generated and written by this run. */
  created: boolean;
}

const CAS_MISMATCH = /check-and-set parameter did not match/i;

const fromData = (data: Record<string, string>): BasicAuthCredentials | undefined => {
  const user = data[BASIC_AUTH_KEYS.user];
  const password = data[BASIC_AUTH_KEYS.password];
  return user && password ? { user, password, created: false } : undefined;
};

/**
 * The credentials in `data` (the PR's values as just read), or new ones written into the path.
 * The password is masked before it is returned.
 */
export async function ensureBasicAuth(
  session: VaultSession,
  o: { mount: string; kvVersion: KvVersion; path: string; data: Record<string, string> },
): Promise<BasicAuthCredentials> {
  const existing = fromData(o.data);
  if (existing) {
    maskSecret(existing.password);
    return existing;
  }
  const creds = { user: BASIC_AUTH_USER, password: randomBytes(18).toString('base64url'), created: true };
  maskSecret(creds.password);
  const data = { ...o.data, [BASIC_AUTH_KEYS.user]: creds.user, [BASIC_AUTH_KEYS.password]: creds.password };
  const full = dataPath(o.mount, o.kvVersion, o.path);
  if (o.kvVersion === 1) {
    await session.call(`write of ${full}`, (c) => c.write(full, data));
    return creds;
  }
  const meta = await session.call(`metadata read of ${metadataPath(o.mount, 2, o.path)}`, (c) =>
    c.read(metadataPath(o.mount, 2, o.path)),
  );
  const version = Number(meta?.data?.current_version ?? 0);
  try {
    await session.call(`write (cas=${version}) of ${full}`, (c) => c.write(full, { data, options: { cas: version } }));
  } catch (err) {
    const e = err as VaultRequestError;
    if (!(e.status === 400 && CAS_MISMATCH.test(e.vaultMessage ?? ''))) throw err;
    // Another deploy wrote first: its credentials (or a lost reply of ours) are the ones to use.
    const now = await session.call(`read of ${full}`, (c) => c.read(full));
    const theirs = fromData((now?.data?.data ?? {}) as Record<string, string>);
    if (!theirs) throw err;
    maskSecret(theirs.password);
    return theirs;
  }
  return creds;
}
