/**
 * OpenAPI as far as helm and kubectl need it: both fetch `/openapi/v3` and the per-group
 * documents before writing, and treat a 404 (then on /openapi/v2) as fatal. A PATCH operation
 * carrying `x-kubernetes-group-version-kind` and a `fieldValidation` parameter tells the client
 * (kubectl's QueryParamVerifierV3) that the server validates, so no schema is needed. The
 * component schemas are open objects deliberately *not* tagged with their kind: a tagged schema
 * makes kubectl's client-side `apply` compute its patch from it and warn "unable to find api
 * field"; untagged, it uses its compiled-in types as it does for a real server's full schema.
 */
import { createHash } from 'node:crypto';
import { SERVER_VERSION } from './discovery.js';
import { encode } from '../encoding/protobuf.js';
import type { ResourceType } from '../storage/store.js';
import type { TypeRegistry } from '../storage/types.js';

/** `api/v1`, `apis/apps/v1`: the keys of /openapi/v3's `paths`. */
function docKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** `GET /openapi/v3`: the index, each entry pointing at a hash-pinned document. */
export function openapiIndex(types: TypeRegistry): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions(types)) {
    const key = docKey(gv.group, gv.version);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(groupDocument(types, gv.group, gv.version))}` };
  }
  return { paths };
}

function groupVersions(types: TypeRegistry): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of types.all()) seen.set(`${t.group}/${t.version}`, { group: t.group, version: t.version });
  return [...seen.values()];
}

function hashOf(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
}

/** The definition name the real server uses (`io.k8s.api.apps.v1.Deployment`); custom groups reverse their domain. */
function schemaName(t: ResourceType): string {
  if (t.group === '') return `io.k8s.api.core.${t.version}.${t.kind}`;
  if (!t.group.includes('.') || t.group.endsWith('.k8s.io'))
    return `io.k8s.api.${t.group.split('.')[0]}.${t.version}.${t.kind}`;
  return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
}

const query = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

/** `GET /openapi/v3/<key>`: one group-version's document, or undefined when not served. */
export function groupDocument(
  types: TypeRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const list = types.inGroupVersion(group, version);
  if (list.length === 0) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of list) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
    schemas[schemaName(t)] = {
      type: 'object',
      description: `${t.kind} (served by the preview-fleet stand-in; the server validates)`,
      'x-kubernetes-preserve-unknown-fields': true,
    };
    const item = t.namespaced
      ? `${prefix}/namespaces/{namespace}/${t.resource}/{name}`
      : `${prefix}/${t.resource}/{name}`;
    const collection = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}` : `${prefix}/${t.resource}`;
    const body = { content: { '*/*': { schema: ref } }, required: true };
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    const writeParams = [
      query('dryRun', 'When present, indicates that modifications should not be persisted.'),
      query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
      query(
        'fieldValidation',
        'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
      ),
    ];
    paths[collection] = {
      get: {
        operationId: `list${t.kind}`,
        'x-kubernetes-action': 'list',
        'x-kubernetes-group-version-kind': gvk,
        responses: ok,
      },
      post: {
        operationId: `create${t.kind}`,
        'x-kubernetes-action': 'post',
        'x-kubernetes-group-version-kind': gvk,
        parameters: writeParams,
        requestBody: body,
        responses: ok,
      },
    };
    paths[item] = {
      get: {
        operationId: `read${t.kind}`,
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': gvk,
        responses: ok,
      },
      put: {
        operationId: `replace${t.kind}`,
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': gvk,
        parameters: writeParams,
        requestBody: body,
        responses: ok,
      },
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [...writeParams, { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }],
        requestBody: {
          content: {
            'application/apply-patch+yaml': { schema: { type: 'object' } },
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
            'application/strategic-merge-patch+json': { schema: { type: 'object' } },
          },
          required: true,
        },
        responses: ok,
      },
      delete: {
        operationId: `delete${t.kind}`,
        'x-kubernetes-action': 'delete',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK' } },
      },
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
        ...(t.namespaced
          ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }]
          : []),
      ],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}

/** `GET /openapi/v2`: a swagger 2.0 document with the same tagged definitions (older clients' fallback). */
export function swaggerDocument(types: TypeRegistry): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const t of types.all()) {
    definitions[schemaName(t)] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.kind }],
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion }, paths: {}, definitions };
}

/** Media type of the gnostic OpenAPIv2 protobuf (kube-openapi answers with this form; clients also ask for the older `@v1.0` spelling, which Go's mime parser rejects in a response). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/**
 * `/openapi/v2` as protobuf: a Document with swagger "2.0" and info, no definitions. kubectl
 * falls back to client-side validation against it for what the v3 verifier does not cover
 * (items of a `kind: List` file), and skips kinds the document does not define, so an empty
 * document leaves validation to the server. JSON there is a parse error ("invalid wire-format").
 */
export function swaggerProtobuf(): Buffer {
  const info = Buffer.concat([encode.bytes(1, 'Kubernetes'), encode.bytes(2, SERVER_VERSION.gitVersion)]);
  return Buffer.concat([encode.bytes(1, '2.0'), encode.bytes(2, info)]);
}
