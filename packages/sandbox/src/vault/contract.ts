/**
 * Vault's contract: requests and responses checked against Vault's published OpenAPI (1.15).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { repoRoot } from '../tools.js';

/**
 * Contract check against Vault's published OpenAPI (1.15, from hashicorp/vault-client-go), kept in
 * the steering tree at ../shared/contracts/vault-openapi.json. Its response schemas describe only the
 * inner `data` object; the envelope (request_id, lease_id, ...) is Vault's standard one.
 */
export const vaultContractPath = resolve(repoRoot, '..', 'shared', 'contracts', 'vault-openapi.json');

/** Which documented operation a request was served as. */
export interface OperationRef {
  /** OpenAPI path template, e.g. "/{kv_v2_mount_path}/data/{path}". */
  template: string;
  method: 'get' | 'post' | 'delete' | 'patch';
  /** Response body is not enveloped (sys/seal-status, sys/health). */
  bare?: boolean;
}

export interface Exchange {
  op: OperationRef;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}

export interface ContractChecker {
  /** Mismatches between one exchange and the document; empty when it conforms. */
  check(x: Exchange): string[];
}

type Json = Record<string, any>;
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

/** Inlines `#/components/...` references (Vault's schemas are shallow and acyclic). */
function inline(schema: unknown, doc: Json, depth = 0): unknown {
  if (depth > 20 || typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map((s) => inline(s, doc, depth + 1));
  const ref = (schema as Json).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce<any>((o, k) => o?.[k], doc);
    return inline(target, doc, depth + 1);
  }
  const out: Json = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, doc, depth + 1)]));
  // Vault serialises an unset Go map as null (e.g. custom_metadata before any is written); the
  // generator still types such fields as a plain "map" object, so a null map is accepted.
  if (out.type === 'object' && out.format === 'map') out.nullable = true;
  return out;
}

/** Builds a checker from an OpenAPI document (exported so a test can feed it a deliberately bad exchange). */
export function createContractChecker(doc: Json): ContractChecker {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Vault's generator uses formats JSON Schema does not define: "map" (an object), "lowercase"
  // (Vault lowercases the value itself) and Go durations ("768h", "0s"), not ISO 8601.
  ajv.addFormat('map', true);
  ajv.addFormat('lowercase', true);
  ajv.addFormat('duration', /^(-?([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+|-?[0-9]+|0)$/);
  const cache = new Map<string, ValidateFunction | null>();
  const compile = (key: string, schema: unknown): ValidateFunction | null => {
    if (!cache.has(key)) cache.set(key, schema === undefined ? null : ajv.compile(inline(schema, doc) as Json));
    return cache.get(key)!;
  };
  const describe = (v: ValidateFunction): string =>
    (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim()).join('; ');

  return {
    check({ op, requestBody, status, responseBody }) {
      const where = `${op.method.toUpperCase()} ${op.template}`;
      const operation = doc.paths?.[op.template]?.[op.method] as Json | undefined;
      if (operation === undefined) return [`${where}: operation not in the contract`];
      const problems: string[] = [];
      const reqSchema = operation.requestBody?.content?.['application/json']?.schema;
      if (reqSchema !== undefined && requestBody !== undefined) {
        const v = compile(`${where} request`, reqSchema)!;
        if (!v(requestBody)) problems.push(`${where} request body: ${describe(v)}`);
      }
      if (status >= 200 && status < 300) {
        const declared = operation.responses?.[String(status)] as Json | undefined;
        if (declared === undefined) {
          problems.push(
            `${where}: status ${status} not declared (declared: ${Object.keys(operation.responses ?? {}).join(', ')})`,
          );
        } else if (status === 204 && responseBody !== undefined) {
          problems.push(`${where}: 204 with a body`);
        } else {
          const schema = declared.content?.['application/json']?.schema;
          const v = compile(`${where} ${status}`, schema);
          const payload = op.bare ? responseBody : (responseBody as Json | undefined)?.data;
          if (v !== null && !v(payload)) problems.push(`${where} ${status} response data: ${describe(v)}`);
        }
      }
      return problems;
    },
  };
}

let loaded: { checker?: ContractChecker; reason?: string } | undefined;

/** The checker for the shared contract file, or the reason it is unavailable (file absent or unreadable). */
export function loadVaultContract(file = vaultContractPath): { checker?: ContractChecker; reason?: string } {
  if (file === vaultContractPath && loaded !== undefined) return loaded;
  let result: { checker?: ContractChecker; reason?: string };
  if (!existsSync(file)) result = { reason: `Vault contract ${file} is absent: contract check skipped` };
  else {
    try {
      result = { checker: createContractChecker(JSON.parse(readFileSync(file, 'utf8')) as Json) };
    } catch (err) {
      result = { reason: `Vault contract ${file} is unreadable: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (file === vaultContractPath) loaded = result;
  return result;
}
