/**
 * GitHub's REST contract: request and response checks against the official OpenAPI description,
 * trimmed to the operations the stand-in serves and cached.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { repoRoot } from '../tools.js';

/**
 * Contract check against GitHub's official OpenAPI description (npm `@octokit/openapi`,
 * generated/api.github.com.json, OpenAPI 3.0.3). The 13 MB file is parsed once per process; only
 * the operations actually served are compiled, on first use.
 */
export const githubContractPath = resolve(
  repoRoot,
  'node_modules',
  '@octokit',
  'openapi',
  'generated',
  'api.github.com.json',
);

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
    if (k === 'nullable' && typeof v === 'boolean') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) out.$ref = `${SCHEMAS_ID}${v}`;
    else out[k] = denull(v);
  }
  // GitHub answers "" for an unset URL whose schema says format uri with default "" (deployment
  // statuses' target_url, log_url, environment_url): the document's own default is accepted.
  if (out.format === 'uri' && out.default === '') out.format = 'uri-or-empty';
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
    this.ajv.addFormat('uri-or-empty', (v: string) => v === '' || URL.canParse(v));
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
      n = n.$ref
        .slice(2)
        .split('/')
        .reduce((o: any, k: string) => o?.[k], this.doc);
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
      (v.errors ?? [])
        .slice(0, 8)
        .map((e) =>
          `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`.trim(),
        )
        .join('; ');

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
      if (x.status < 400)
        problems.push(
          `${where}: status ${x.status} not declared (declared: ${Object.keys(operation.responses ?? {}).join(', ')})`,
        );
      return problems;
    }
    const schema = declared.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (x.responseBody !== undefined && x.status < 400)
        problems.push(`${where}: ${x.status} with a body, none documented`);
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
  if (type === 'integer' || type === 'number')
    return raw.trim() === '' || Number.isNaN(Number(raw)) ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (type === 'array') return raw.split(',');
  return raw;
}

/**
 * Only what the served operations need: their full descriptions and every component they reach;
 * every other operation keeps just its operationId and docs link (to name an unserved request).
 */
export function trimDocument(doc: Json, served: GitHubOperation[]): Json {
  const components: Json = {};
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(visit);
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/') && !seen.has(v)) {
        seen.add(v);
        const [, , kind, name] = v.split('/') as [string, string, string, string];
        const target = withoutExamples(doc.components?.[kind]?.[name]);
        (components[kind] ??= {})[name] = target;
        visit(target);
      } else visit(v);
    }
  };
  const paths: Json = {};
  for (const [template, ops] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(ops as Json)) {
      if (typeof op !== 'object' || op === null || !('operationId' in op)) continue;
      const full = served.some((x) => x.template === template && x.method === method);
      const kept = full ? withoutExamples(op) : { operationId: op.operationId, externalDocs: op.externalDocs };
      (paths[template] ??= {})[method] = kept;
      if (full) visit(kept);
    }
  }
  return { openapi: doc.openapi, info: doc.info, paths, components: { schemas: {}, ...components } };
}

/** Drops `examples` of media types and parameters (never a schema property that happens to be called so). */
function withoutExamples(node: unknown): any {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) return node.map(withoutExamples);
  const mediaType = 'schema' in node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => !(mediaType && k === 'examples'))
      .map(([k, v]) => [k, withoutExamples(v)]),
  );
}

const loaded = new Map<string, GitHubContract>();

/**
 * The contract from `@octokit/openapi` (throws when the package is missing). With `served`, the
 * document is trimmed to those operations and the trimmed copy cached under
 * node_modules/.cache/preview-fleet (keyed by the package file and the operation list), so each
 * test file starts in milliseconds instead of parsing 13 MB.
 */
export function loadGitHubContract(file = githubContractPath, served?: GitHubOperation[]): GitHubContract {
  const stat = statSync(file);
  const opsKey =
    served === undefined
      ? 'full'
      : served
          .map((o) => `${o.method} ${o.template}`)
          .sort()
          .join('|');
  const key = createHash('sha256').update(`${file}:${stat.size}:${stat.mtimeMs}:${opsKey}`).digest('hex').slice(0, 16);
  let c = loaded.get(key);
  if (c !== undefined) return c;
  if (served === undefined) c = new GitHubContract(JSON.parse(readFileSync(file, 'utf8')) as Json);
  else {
    const dir = join(repoRoot, 'node_modules', '.cache', 'preview-fleet');
    const cached = join(dir, `github-openapi-${key}.json`);
    let doc: Json;
    try {
      doc = JSON.parse(readFileSync(cached, 'utf8')) as Json;
    } catch {
      doc = trimDocument(JSON.parse(readFileSync(file, 'utf8')) as Json, served);
      mkdirSync(dir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(doc));
      renameSync(tmp, cached); // atomic: parallel test workers never read half a file
    }
    c = new GitHubContract(doc);
  }
  loaded.set(key, c);
  return c;
}
