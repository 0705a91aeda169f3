import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { repoRoot } from '../tools.js';

/**
 * Contract check against GitHub's official OpenAPI description (npm `@octokit/openapi`,
 * generated/api.github.com.json, OpenAPI 3.0.3). The 13 MB file is parsed once per process; only
 * the operations actually served are compiled, on first use.
 */
export const githubContractPath = resolve(repoRoot, 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json');

type Json = Record<string, any>;
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const SCHEMAS_ID = 'https://api.github.com/openapi';

/** One documented operation: OpenAPI path template + method (lower case). */
export interface GitHubOperation {
  template: string;
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
}

export interface GitHubExchange {
  op: GitHubOperation;
  query: URLSearchParams;
  /** Parsed JSON body, undefined when the request has none. */
  requestBody: unknown;
  status: number;
  /** Parsed JSON body, undefined for an empty response. */
  responseBody: unknown;
}

/** OpenAPI 3.0 `nullable` → JSON Schema (Ajv's own support needs `type` beside it, which GitHub's schemas do not always have). */
function denull(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map(denull);
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable' || k === 'example' || k === 'examples') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) out.$ref = `${SCHEMAS_ID}${v}`;
    else out[k] = denull(v);
  }
  if ((schema as Json).nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/** The parsed document plus a lazily compiled validator per schema. */
export class GitHubContract {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: SCHEMAS_ID, components: { schemas: denull(doc.components.schemas) } });
  }

  operation(op: GitHubOperation): Json | undefined {
    return this.doc.paths?.[op.template]?.[op.method] as Json | undefined;
  }

  /** The operationId (e.g. "issues/list-comments") GitHub gives this operation. */
  operationId(op: GitHubOperation): string {
    return (this.operation(op)?.operationId as string | undefined) ?? `${op.method.toUpperCase()} ${op.template}`;
  }

  /** The documentation URL GitHub puts in error bodies for this operation. */
  docsUrl(op: GitHubOperation): string {
    return (this.operation(op)?.externalDocs?.url as string | undefined) ?? 'https://docs.github.com/rest';
  }

  /** Follows `#/components/...` references (responses, parameters) to their target. */
  deref(node: any): any {
    let n = node;
    for (let i = 0; i < 10 && typeof n?.$ref === 'string' && !n.$ref.startsWith('#/components/schemas/'); i++) {
      n = n.$ref.slice(2).split('/').reduce((o: any, k: string) => o?.[k], this.doc);
    }
    return n;
  }

  /** The raw schema of a component (for building skeleton objects). */
  schema(name: string): Json {
    const s = this.doc.components.schemas[name] as Json | undefined;
    if (s === undefined) throw new Error(`GitHub OpenAPI has no schema ${name}`);
    return s;
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let v = this.cache.get(key);
    if (v === undefined) {
      v = this.ajv.compile(denull(schema) as Json);
      this.cache.set(key, v);
    }
    return v;
  }

  /** Mismatches between one exchange and the document; empty when it conforms. */
  check(x: GitHubExchange): string[] {
    const where = `${x.op.method.toUpperCase()} ${x.op.template}`;
    const operation = this.operation(x.op);
    if (operation === undefined) return [`${where}: operation not in GitHub's OpenAPI description`];
    const problems: string[] = [];
    const describe = (v: ValidateFunction): string =>
      (v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`.trim()).join('; ');

    const params = ((operation.parameters ?? []) as Json[]).map((p) => this.deref(p) as Json);
    for (const [name, raw] of x.query) {
      const p = params.find((q) => q.in === 'query' && q.name === name);
      if (p === undefined) {
        problems.push(`${where}: query parameter "${name}" is not documented`);
        continue;
      }
      const v = this.validator(`${where} query ${name}`, p.schema ?? {});
      if (!v(coerce(raw, p.schema ?? {}))) problems.push(`${where} query ${name}=${raw}: ${describe(v)}`);
    }
    const reqSchema = operation.requestBody?.content?.['application/json']?.schema;
    if (x.requestBody !== undefined) {
      if (reqSchema === undefined) problems.push(`${where}: request body sent, none documented`);
      else {
        const v = this.validator(`${where} request`, reqSchema);
        if (!v(x.requestBody)) problems.push(`${where} request body: ${describe(v)}`);
      }
    } else if (operation.requestBody?.required === true) {
      problems.push(`${where}: request body required`);
    }

    const declared = this.deref(operation.responses?.[String(x.status)]) as Json | undefined;
    if (declared === undefined) {
      // Error statuses GitHub may answer anywhere (401, 403 limits, 5xx) are often not declared per operation.
      if (x.status < 400) problems.push(`${where}: status ${x.status} not declared (declared: ${Object.keys(operation.responses ?? {}).join(', ')})`);
      return problems;
    }
    const schema = declared.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (x.responseBody !== undefined && x.status < 400) problems.push(`${where}: ${x.status} with a body, none documented`);
    } else {
      const v = this.validator(`${where} ${x.status}`, schema);
      if (!v(x.responseBody)) problems.push(`${where} ${x.status} response: ${describe(v)}`);
    }
    return problems;
  }
}

/** Query strings carry text; turn it into what the parameter's schema types. */
function coerce(raw: string, schema: Json): unknown {
  const type = schema.type;
  if (type === 'integer' || type === 'number') return raw.trim() === '' || Number.isNaN(Number(raw)) ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (type === 'array') return raw.split(',');
  return raw;
}

let loaded: GitHubContract | undefined;

/** The contract from `@octokit/openapi` (parsed once per process; throws when the package is missing). */
export function loadGitHubContract(file = githubContractPath): GitHubContract {
  if (file !== githubContractPath) return new GitHubContract(JSON.parse(readFileSync(file, 'utf8')) as Json);
  loaded ??= new GitHubContract(JSON.parse(readFileSync(file, 'utf8')) as Json);
  return loaded;
}
