/**
 * RS256 JWTs for the OIDC stand-in: signing, decoding and verifying against a JWKS.
 */
import { createPublicKey, createSign, createVerify, type JsonWebKey, type KeyObject } from 'node:crypto';

/** A JWT split into its parts; `signingInput` is what RS256 signs (`header.payload`). */
export interface DecodedJwt {
  header: { alg?: string; kid?: string; typ?: string };
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** Signs `payload` as a compact RS256 JWS (RFC 7515) with the given private key and key id. */
export function signRs256(payload: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const header = { typ: 'JWT', alg: 'RS256', kid, x5t: kid };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
  return `${signingInput}.${b64url(signature)}`;
}

/** Splits and JSON-decodes a compact JWT; throws a plain message when it is not one. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('compact JWS format must have three parts');
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as DecodedJwt['header'],
      payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    throw new Error('failed to decode JWT header or payload');
  }
}

/** True when `jwt` carries a valid RS256 signature by one of `keys` (JWKS entries, matched by kid when present). */
export function verifyRs256(jwt: DecodedJwt, keys: JsonWebKey[]): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  const candidates = keys.filter((k) => jwt.header.kid === undefined || k.kid === jwt.header.kid);
  return candidates.some((jwk) => {
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      return createVerify('RSA-SHA256').update(jwt.signingInput).verify(key, jwt.signature);
    } catch {
      return false;
    }
  });
}
