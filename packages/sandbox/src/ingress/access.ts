/**
 * The ingress-nginx access annotations the ingress stand-in claims to serve, enforced the way
 * the controller does (annotation docs of kubernetes.github.io/ingress-nginx):
 * - `whitelist-source-range` (comma-separated CIDRs): any other client address gets 403;
 * - `auth-type: basic` + `auth-secret` (`name` or `namespace/name`) + `auth-secret-type`
 *   (`auth-file`: an htpasswd file under the key `auth`; `auth-map`: user → hash keys): 401 with
 *   `WWW-Authenticate: Basic realm="<auth-realm>"` unless the credentials verify; a missing
 *   Secret fails closed (503), as the controller denies a location whose secret it cannot read;
 * - `auth-url`: a subrequest to the URL with the client's headers plus `X-Original-URL` and
 *   `X-Original-Method`; 2xx passes, 401/403 are returned (401 becomes a 302 to `auth-signin`
 *   with `rd=<original URL>` when set), anything else is a 500.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { verifyHash, verifyHtpasswd } from '@preview-fleet/core';
import type { KubeObject, ObjectStore } from '../kube/storage/store.js';

export const NGINX = 'nginx.ingress.kubernetes.io/';

export interface Denial {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

function sourceAllowed(ranges: string, address: string): boolean {
  const list = new BlockList();
  for (const r of ranges
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [net, bits] = r.includes('/') ? (r.split('/') as [string, string]) : [r, isIPv4(r) ? '32' : '128'];
    if (isIPv4(net)) list.addSubnet(net, Number(bits), 'ipv4');
    else if (isIPv6(net)) list.addSubnet(net, Number(bits), 'ipv6');
  }
  const a = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return isIPv4(a) ? list.check(a, 'ipv4') : list.check(a, 'ipv6');
}

function secretData(s: KubeObject): Record<string, string> {
  const data = (s as { data?: Record<string, string> }).data ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries((s as { stringData?: Record<string, string> }).stringData ?? {})) out[k] = v;
  return out;
}

function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}

function checkBasic(
  store: ObjectStore,
  ing: KubeObject,
  req: IncomingMessage,
  a: Record<string, string>,
): Denial | undefined {
  const ref = a[`${NGINX}auth-secret`] ?? '';
  const [ns, name] = ref.includes('/') ? (ref.split('/', 2) as [string, string]) : [ing.metadata.namespace!, ref];
  const secretType = store.types.byKind('Secret');
  const secret = secretType && name ? store.get(secretType, ns, name) : undefined;
  if (!secret)
    return { status: 503, body: `503 Service Temporarily Unavailable (auth-secret ${ns}/${name} not found)` };
  const data = secretData(secret);
  const creds = basicCredentials(req);
  const ok =
    creds !== undefined &&
    (a[`${NGINX}auth-secret-type`] === 'auth-map'
      ? data[creds.user] !== undefined && verifyHash(data[creds.user]!.trim(), creds.password)
      : verifyHtpasswd(data.auth ?? '', creds.user, creds.password));
  if (ok) return undefined;
  const realm = a[`${NGINX}auth-realm`] ?? '';
  return {
    status: 401,
    body: '401 Authorization Required',
    headers: { 'www-authenticate': `Basic realm="${realm.replace(/"/g, '')}"` },
  };
}

async function checkExternal(
  req: IncomingMessage,
  host: string,
  a: Record<string, string>,
): Promise<Denial | undefined> {
  const original = `https://${host}${req.url ?? '/'}`;
  const headers: Record<string, string> = {
    'x-original-url': original,
    'x-original-method': req.method ?? 'GET',
    'x-sent-from': 'nginx-ingress-controller',
  };
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
  let status: number;
  try {
    const res = await fetch(a[`${NGINX}auth-url`]!, {
      method: a[`${NGINX}auth-method`] ?? 'GET',
      headers,
      signal: AbortSignal.timeout(5_000),
      redirect: 'manual',
    });
    status = res.status;
    await res.arrayBuffer();
  } catch {
    return { status: 500, body: '500 Internal Server Error (auth-url unreachable)' };
  }
  if (status >= 200 && status < 300) return undefined;
  const signin = a[`${NGINX}auth-signin`];
  if (status === 401 && signin) {
    const to = new URL(signin);
    to.searchParams.set('rd', original);
    return { status: 302, body: '', headers: { location: to.toString() } };
  }
  if (status === 401 || status === 403)
    return { status, body: status === 401 ? '401 Authorization Required' : '403 Forbidden' };
  return { status: 500, body: `500 Internal Server Error (auth-url answered ${status})` };
}

/** The first refusal the Ingress's annotations give this request, or undefined to pass it on. */
export async function checkAccess(
  store: ObjectStore,
  ing: KubeObject,
  req: IncomingMessage,
  host: string,
): Promise<Denial | undefined> {
  const a = ing.metadata.annotations ?? {};
  const ranges = a[`${NGINX}whitelist-source-range`];
  if (ranges !== undefined && !sourceAllowed(ranges, req.socket.remoteAddress ?? ''))
    return { status: 403, body: '403 Forbidden' };
  if (a[`${NGINX}auth-type`] === 'basic') {
    const d = checkBasic(store, ing, req, a);
    if (d) return d;
  }
  if (a[`${NGINX}auth-url`]) return checkExternal(req, host, a);
  return undefined;
}
