/**
 * Request bodies by content type: JSON, YAML, the k8s protobuf envelope, and the four PATCH types.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { readBody } from '../../http/server.js';
import { ApiError, badRequest } from '../server/errors.js';
import { decodeProtobuf } from './protobuf.js';

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

/** The media type of a request without parameters (`application/json;charset=utf-8` → `application/json`). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function unsupported(type: string, accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ message: `unsupported media type "${type}"` }] },
  );
}

/** Reads an object body: JSON, YAML, or the k8s protobuf envelope (what helm and kubectl send for Secrets and Namespaces). */
export async function readObjectBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  const type = mediaType(req);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobuf(raw);
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(raw);
  if (type === 'application/yaml') return parseYamlBody(raw);
  throw unsupported(type, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
}

/** Reads a PATCH body and says which patch it is from its content type. */
export async function readPatchBody(
  req: IncomingMessage,
  custom: boolean,
): Promise<{ kind: PatchKind; patch: unknown }> {
  const type = mediaType(req);
  const raw = await readBody(req);
  const accepted = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
  if (!custom) accepted.splice(2, 0, 'application/strategic-merge-patch+json');
  switch (type) {
    case 'application/json-patch+json':
      return { kind: 'json', patch: parseJson(raw) };
    case 'application/merge-patch+json':
      return { kind: 'merge', patch: parseJson(raw) };
    case 'application/strategic-merge-patch+json':
      // the real server has no strategic-merge metadata for custom resources
      if (custom) throw unsupported(type, accepted);
      return { kind: 'strategic', patch: parseJson(raw) };
    case 'application/apply-patch+yaml':
      return { kind: 'apply', patch: parseYamlBody(raw) };
    default:
      throw unsupported(type, accepted);
  }
}

function parseJson(raw: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw badRequest(`the server could not decode the request body: ${(e as Error).message}`);
  }
}

function parseYamlBody(raw: Buffer): Record<string, unknown> {
  try {
    return parseYaml(raw.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
}
