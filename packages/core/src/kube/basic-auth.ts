/**
 * The ingress's basic-auth Secret (`<release>-basic-auth`): ingress-nginx reads the htpasswd line
 * in its `auth` key (`auth-type: basic`, `auth-secret`); `user` and `password` let wait-ready's
 * probe log in like a person would. Marked, written by server-side apply with the namespace's
 * fences; the htpasswd salt is derived from the password, so an unchanged password rewrites
 * nothing.
 */
import { createHash } from 'node:crypto';
import { md5Crypt } from '../htpasswd.js';
import { PREFIX, type OwnershipMarks } from '../marks.js';
import { markedSecretManifest } from './app-secret.js';
import { ActionError, maskSecret } from '../runtime/index.js';
import type { KubeObject } from './namespace.js';
import { kubectlJson, type KubeTools } from './tools.js';

const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `user:$apr1$…` with a salt derived from the secret's name and password (stable across deploys). */
export function stableHtpasswd(name: string, user: string, password: string): string {
  const digest = createHash('sha256').update(`${name}\0${password}`).digest();
  const salt = [...digest.subarray(0, 8)].map((b) => SALT_CHARS[b & 0x3f]).join('');
  return `${user}:${md5Crypt(password, salt)}`;
}

/** The marked Secret ingress-nginx's basic auth reads; `vaultPath` says where the login lives. */
export function basicAuthSecretManifest(args: {
  name: string;
  namespace: string;
  user: string;
  password: string;
  marks: OwnershipMarks;
  vaultPath: string;
}): KubeObject {
  return markedSecretManifest({
    name: args.name,
    namespace: args.namespace,
    marks: args.marks,
    annotations: { [`${PREFIX}/vault-path`]: args.vaultPath },
    data: { auth: stableHtpasswd(args.name, args.user, args.password), user: args.user, password: args.password },
  });
}

/** The login kept in a basic-auth Secret (`user`, `password` keys); the password is masked as read. */
export async function readBasicAuthSecret(
  tools: KubeTools,
  namespace: string,
  name: string,
): Promise<{ user: string; password: string }> {
  const s = await kubectlJson(tools, ['get', 'secret', name, '--namespace', namespace]);
  const decode = (k: string) => Buffer.from(String(s?.data?.[k] ?? ''), 'base64').toString('utf8');
  const user = decode('user');
  const password = decode('password');
  if (password) maskSecret(password);
  if (!user || !password) {
    throw new ActionError(`Secret ${namespace}/${name} has no user and password keys, so the probe cannot log in`, {
      hint: 'deploy-helm writes them (basic-auth: true with Vault); name that Secret in basic-auth-secret, or leave it empty for a public preview',
    });
  }
  return { user, password };
}
