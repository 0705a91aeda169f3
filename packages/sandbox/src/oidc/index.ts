/**
 * GitHub Actions OIDC token stand-in: what `ACTIONS_ID_TOKEN_REQUEST_URL` and
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN` point at on a runner, plus the issuer's discovery document and
 * JWKS so a relying party (the Vault stand-in) can verify the RS256 signature.
 *
 * @example
 * const oidc = await startOidc({ claims: { repository: 'acme/web' } });
 * process.env.ACTIONS_ID_TOKEN_REQUEST_URL = oidc.requestUrl;     // already has '?api-version=2.0'
 * process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = oidc.requestToken;
 * const jwt = await core.getIDToken('vault');                      // GET <url>&audience=vault
 * oidc.setClaims({ ref: 'refs/pull/7/merge' });                    // later tokens carry it
 * await oidc.stop();
 *
 * Endpoints: `GET /idtoken?api-version=2.0[&audience=A]` with `Authorization: Bearer <requestToken>`
 * → `{"value":"<jwt>"}` (the shape @actions/core's OidcClient reads); missing bearer → 401,
 * wrong bearer → 403. `GET /.well-known/openid-configuration`, `GET /.well-known/jwks`.
 * Without `audience`, GitHub's default audience is `https://github.com/<owner>`.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import { startLoopbackServer } from '../http/server.js';
import { completeClaims, type Claims } from './claims.js';
import { signRs256 } from './jwt.js';

export type { Claims } from './claims.js';
export { decodeJwt, verifyRs256, type DecodedJwt } from './jwt.js';
export { completeGitLabClaims, defaultGitLabClaims, type GitLabClaims } from './gitlab-claims.js';
export { createGitLabIdTokenIssuer, type GitLabIdTokenIssuer } from './gitlab-issuer.js';

export interface OidcStandIn {
  /** Value for ACTIONS_ID_TOKEN_REQUEST_URL; already carries a '?', clients append '&audience=...'. */
  requestUrl: string;
  /** Value for ACTIONS_ID_TOKEN_REQUEST_TOKEN (the bearer the runtime checks). */
  requestToken: string;
  /** The `iss` of every token; serves /.well-known/openid-configuration. */
  issuer: string;
  jwksUrl: string;
  /** Merges claims into what later tokens carry (derived claims like `sub` follow unless set). */
  setClaims(c: Partial<Claims>): void;
  /** Signs a token directly (for tests that need one without the HTTP round trip). */
  issue(audience: string, extra?: Record<string, unknown>): string;
  /** Number of tokens issued over HTTP. */
  issued: number;
  stop(): Promise<void>;
}

/** Lifetime GitHub gives its ID tokens, as seen in its documented example (iat+300, nbf=iat-600). */
const EXP_SECONDS = 300;
const NBF_SKEW_SECONDS = 600;

/** Starts the OIDC stand-in on a loopback port with a fresh RSA-2048 signing key. */
export async function startOidc(opts: { claims?: Partial<Claims>; clock?: () => number } = {}): Promise<OidcStandIn> {
  const clock = opts.clock ?? Date.now;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(16).toString('hex');
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const requestToken = randomBytes(24).toString('base64url');
  let claims: Partial<Claims> = { ...opts.claims };
  let issuer = '';

  const issue = (audience: string, extra: Record<string, unknown> = {}): string => {
    const iat = Math.floor(clock() / 1000);
    return signRs256(
      {
        jti: randomUUID(),
        ...completeClaims(claims),
        aud: audience,
        iss: issuer,
        iat,
        nbf: iat - NBF_SKEW_SECONDS,
        exp: iat + EXP_SECONDS,
        ...extra,
      },
      privateKey,
      kid,
    );
  };

  const standIn: OidcStandIn = {
    requestUrl: '',
    requestToken,
    issuer: '',
    jwksUrl: '',
    issued: 0,
    setClaims: (c) => {
      claims = { ...claims, ...c };
    },
    issue,
    stop: async () => server.close(),
  };

  const json = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const server = await startLoopbackServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: [
          'sub',
          'aud',
          'exp',
          'iat',
          'iss',
          'jti',
          'nbf',
          'ref',
          'repository',
          'repository_owner',
          'run_id',
          'event_name',
          'job_workflow_ref',
        ],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks') return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && url.pathname === '/idtoken') {
      const auth = req.headers.authorization;
      if (auth === undefined || !/^bearer /i.test(auth))
        return json(res, 401, { message: 'Authorization header is missing' });
      if (auth.slice(7) !== requestToken)
        return json(res, 403, { message: 'The bearer token is not valid for this run' });
      const owner = completeClaims(claims).repository_owner;
      const audience = url.searchParams.get('audience') ?? `https://github.com/${owner}`;
      standIn.issued += 1;
      return json(res, 200, { value: issue(audience) });
    }
    return json(res, 404, { message: `no route ${req.method} ${url.pathname}` });
  });
  issuer = server.url;
  standIn.issuer = issuer;
  standIn.jwksUrl = `${issuer}/.well-known/jwks`;
  standIn.requestUrl = `${issuer}/idtoken?api-version=2.0`;
  return standIn;
}
