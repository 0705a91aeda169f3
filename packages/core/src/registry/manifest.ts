/**
 * "Is this tag already in the registry we push to?" through the OCI distribution API, for when
 * the push host is not ECR itself (`registry` override, or `ecr: false`): ECR's DescribeImages
 * cannot see those images, and `podman manifest inspect` cannot read a single-image manifest
 * from a registry. HEAD /v2/<repository>/manifests/<tag> with the manifest media types; a 401
 * challenge is answered with Basic credentials or the Bearer token flow (what ECR, Docker Hub,
 * GHCR and distribution use). Loopback hosts are plain http, as docker and podman treat them.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { classifyTransient, retry } from '../retry.js';
import { ActionError, waitingOn } from '../runtime/index.js';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryImageQuery {
  /** host[:port] */
  host: string;
  repository: string;
  tag: string;
  credentials?: { username: string; password: string };
  fetch?: typeof fetch;
  /** One request's bound (input `request-timeout`; default 30 s): a registry that never answers is an error, not a hang. */
  requestTimeoutMs?: number;
  /** Backoff between retries of a lookup the registry did not answer (default real time). */
  clock?: Clock;
}

export type RegistryLookup = { found: true; digest: string } | { found: false; reason?: string };

export function registryBaseUrl(host: string): string {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic) from WWW-Authenticate. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.trim().split(/\s+/)[0]!.toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

/** A request to the registry, answering a 401 challenge once (Basic, or the Bearer token flow for `scope`). */
type Authorized = (url: string, init: RequestInit) => Promise<Response | { refused: string }>;

function authorizedRequests(q: Omit<RegistryImageQuery, 'tag'>, scope: string, purpose: string): Authorized {
  const plainFetch = q.fetch ?? fetch;
  const ms = q.requestTimeoutMs ?? 30_000;
  const registry = `the registry at ${registryBaseUrl(q.host)}`;
  // A reset, a timeout, a 429 (its Retry-After honoured) or a 5xx is asked again (the manifest PUT too: it
  // writes the same bytes, so a repeat is harmless), a few times; what still fails is named. A status that persists is returned for the caller's "cannot tell".
  const doFetch = async (input: string | URL, init: RequestInit): Promise<Response> => {
    const what = `${init.method ?? 'GET'} ${String(input)}`;
    try {
      return await retry(
        async () => {
          const res = await waitingOn(registry, what, () =>
            plainFetch(input, { ...init, signal: AbortSignal.timeout(ms) }),
          );
          if (res.status === 429 || res.status >= 500)
            throw Object.assign(new Error(`answered ${res.status}`), { res });
          return res;
        },
        {
          attempts: 4,
          baseMs: 500,
          maxMs: 4000,
          clock: q.clock ?? systemClock,
          classify: (err) => {
            const answered = (err as { res?: Response }).res;
            if (answered) return classifyTransient({ status: answered.status, headers: answered.headers });
            return { transient: true };
          },
        },
      );
    } catch (err) {
      const answered = (err as { res?: Response }).res;
      if (answered) return answered;
      const timedOut = (err as Error)?.name === 'TimeoutError';
      const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
      throw new ActionError(
        timedOut
          ? `${registry} did not answer ${what} within ${ms / 1000}s (4 tries)`
          : `${registry} failed on ${what} (4 tries): ${(err as Error)?.message ?? String(err)}${cause?.code ? ` (${cause.code})` : ''}`,
        {
          hint: 'Check that the push registry is reachable from the runner; raise request-timeout if it is just slow',
          cause: err,
        },
      );
    }
  };
  let authorization: string | undefined;
  const basic = q.credentials
    ? `Basic ${Buffer.from(`${q.credentials.username}:${q.credentials.password}`).toString('base64')}`
    : undefined;
  return async (url, init) => {
    const send = () =>
      doFetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...(authorization ? { authorization } : {}) },
      });
    let res = await send();
    if (res.status !== 401 || authorization !== undefined) return res;
    await res.arrayBuffer();
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
    if (challenge.scheme === 'basic' && basic) {
      authorization = basic;
    } else if (challenge.scheme === 'bearer' && challenge.params.realm) {
      const tokenUrl = new URL(challenge.params.realm);
      if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
      tokenUrl.searchParams.set('scope', challenge.params.scope ?? scope);
      const t = await doFetch(tokenUrl, { headers: basic ? { authorization: basic } : {} });
      if (!t.ok) return { refused: `the registry's token service answered ${t.status}` };
      const body = (await t.json()) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      if (!token) return { refused: "the registry's token service returned no token" };
      authorization = `Bearer ${token}`;
    } else {
      return { refused: `the registry wants credentials we do not have for ${purpose}` };
    }
    res = await send();
    return res;
  };
}

const manifestUrl = (host: string, repository: string, reference: string): string =>
  `${registryBaseUrl(host)}/v2/${repository}/manifests/${encodeURIComponent(reference)}`;

/**
 * Looks the tag up. `found: false` with a `reason` means "could not tell" (auth refused, odd
 * answer): the caller builds, which is always safe. Network errors are thrown (retryable).
 */
export async function findImageInRegistry(q: RegistryImageQuery): Promise<RegistryLookup> {
  const request = authorizedRequests(q, `repository:${q.repository}:pull`, 'a lookup');
  const res = await request(manifestUrl(q.host, q.repository, q.tag), {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES },
  });
  if (!(res instanceof Response)) return { found: false, reason: res.refused };
  if (res.status === 404) return { found: false };
  if (res.status === 200) {
    const digest = res.headers.get('docker-content-digest');
    if (!digest) throw new ActionError(`${q.host} answered the manifest lookup without a Docker-Content-Digest header`);
    return { found: true, digest };
  }
  return { found: false, reason: `the registry answered ${res.status}` };
}

export interface RegistryTagRequest extends Omit<RegistryImageQuery, 'tag'> {
  /** The tag that holds the image. */
  from: string;
  /** The tag to point at the same manifest. */
  to: string;
}

/**
 * Points `to` at the manifest `from` names without pulling or rebuilding: GET the manifest's
 * bytes and PUT them unchanged under the new tag (the distribution API's way to tag remotely, as
 * `docker buildx imagetools create` and `crane tag` do). Same bytes, so the same digest; a tag that
 * already points there is rewritten to the same thing (idempotent). Returns the digest.
 */
export async function tagImageInRegistry(q: RegistryTagRequest): Promise<string> {
  const request = authorizedRequests(q, `repository:${q.repository}:pull,push`, 'adding a tag');
  const what = `${q.host}/${q.repository}:${q.to}`;
  const got = await request(manifestUrl(q.host, q.repository, q.from), {
    method: 'GET',
    headers: { accept: MANIFEST_TYPES },
  });
  if (!(got instanceof Response))
    throw new ActionError(`Could not read ${q.repository}:${q.from} to tag ${what}: ${got.refused}`);
  if (got.status !== 200)
    throw new ActionError(
      `Could not read ${q.repository}:${q.from} to tag ${what}: the registry answered ${got.status}`,
    );
  const body = Buffer.from(await got.arrayBuffer());
  const mediaType = got.headers.get('content-type') ?? JSON.parse(body.toString('utf8')).mediaType;
  const digest =
    got.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const put = await request(manifestUrl(q.host, q.repository, q.to), {
    method: 'PUT',
    headers: { 'content-type': String(mediaType) },
    body,
  });
  if (!(put instanceof Response))
    throw new ActionError(`Could not tag ${what}: ${put.refused}`, {
      hint: 'With ecr: false, log in to the registry before this step (docker/login-action), or set the tag input empty',
    });
  const text = await put.text();
  if (put.status !== 201 && put.status !== 200)
    throw new ActionError(`Could not tag ${what}: the registry answered ${put.status} ${text.slice(0, 300)}`);
  const putDigest = put.headers.get('docker-content-digest');
  if (putDigest && putDigest !== digest)
    throw new ActionError(`Tagging ${what} stored ${putDigest}, not the ${digest} of ${q.repository}:${q.from}`);
  return digest;
}
