/**
 * Protobuf decoding for every built-in kind, driven by the message descriptors that the real
 * client embeds: a Go binary built from k8s.io/api carries each `generated.proto` as a gzipped
 * FileDescriptorProto. kubectl 1.34's typed clients (`kubectl create deployment|service|job|…`)
 * send protobuf for any built-in kind, so the stand-in reads the schema from the very binary
 * that is talking to it instead of keeping its own copy of k8s.io/api.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ApiError } from '../server/errors.js';
import { fields, packedVarints, type Field } from './protobuf-wire.js';

interface FieldDesc {
  name: string;
  number: number;
  repeated: boolean;
  /** descriptor.proto FieldDescriptorProto.Type */
  type: number;
  typeName?: string;
}

interface MessageDesc {
  fields: Map<number, FieldDesc>;
  mapEntry: boolean;
}

type Schema = Map<string, MessageDesc>;

const text = (f: Field): string => (f.value as Buffer).toString('utf8');

function readMessageType(buf: Buffer, prefix: string, out: Schema): void {
  let name = '';
  const fieldList: FieldDesc[] = [];
  const nested: Buffer[] = [];
  let mapEntry = false;
  for (const f of fields(buf)) {
    if (f.no === 1) name = text(f);
    else if (f.no === 2) {
      const d: FieldDesc = { name: '', number: 0, repeated: false, type: 0 };
      for (const x of fields(f.value as Buffer)) {
        if (x.no === 1) d.name = text(x);
        if (x.no === 3) d.number = Number(x.value);
        if (x.no === 4) d.repeated = Number(x.value) === 3;
        if (x.no === 5) d.type = Number(x.value);
        if (x.no === 6) d.typeName = text(x).replace(/^\./, '');
        if (x.no === 10 && !d.name) d.name = text(x);
      }
      fieldList.push(d);
    } else if (f.no === 3) nested.push(f.value as Buffer);
    else if (f.no === 7) for (const o of fields(f.value as Buffer)) if (o.no === 7 && o.value !== 0n) mapEntry = true;
  }
  const full = `${prefix}.${name}`;
  out.set(full, { fields: new Map(fieldList.map((d) => [d.number, d])), mapEntry });
  for (const n of nested) readMessageType(n, full, out);
}

/** Reads every embedded k8s FileDescriptorProto (gzip members naming a `generated.proto`) out of a binary. */
export function schemaFromBinary(binary: Buffer): Schema {
  const out: Schema = new Map();
  const magic = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
  for (let i = binary.indexOf(magic); i >= 0; i = binary.indexOf(magic, i + 1)) {
    // the descriptor's first field is its file name, near the start of the stream
    let file: Buffer;
    try {
      file = gunzipSync(binary.subarray(i, i + 400_000), { finishFlush: 2 });
    } catch {
      continue;
    }
    if (file[0] !== 0x0a || !file.subarray(0, 200).includes('generated.proto')) continue;
    let pkg = '';
    const messages: Buffer[] = [];
    try {
      for (const f of fields(file)) {
        if (f.no === 2) pkg = text(f);
        if (f.no === 4) messages.push(f.value as Buffer);
      }
      for (const m of messages) readMessageType(m, pkg, out);
    } catch {
      continue;
    }
  }
  return out;
}

let cached: { path: string; schema: Schema } | undefined;

/** The schema from `binaryPath` (read once per process), or undefined when the binary is absent. */
export function loadSchema(binaryPath: string | undefined): Schema | undefined {
  if (!binaryPath || !existsSync(binaryPath)) return undefined;
  if (cached?.path !== binaryPath) cached = { path: binaryPath, schema: schemaFromBinary(readFileSync(binaryPath)) };
  return cached.schema.size > 0 ? cached.schema : undefined;
}

/** `k8s.io.api.apps.v1.Deployment` for apps/v1 Deployment; meta.k8s.io kinds live in apimachinery. */
export function messageName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'meta.k8s.io') return `k8s.io.apimachinery.pkg.apis.meta.${version}.${kind}`;
  return `k8s.io.api.${group === '' ? 'core' : group.split('.')[0]}.${version}.${kind}`;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Embedded structs that Go marshals `json:",inline"` but protobuf keeps as a field. */
const INLINE = new Set([
  'volumeSource',
  'handler',
  'ingressRuleValue',
  'ephemeralContainerCommon',
  'persistentVolumeSource',
]);

/**
 * Non-pointer `omitempty` fields: gogo protobuf always writes them, Go's JSON leaves them out
 * at zero. Pointer fields (replicas, backoffLimit, suspend…) keep an explicit 0/false.
 */
const OMIT_ZERO = new Set([
  'generation',
  'minReadySeconds',
  'paused',
  'hostPort',
  'nodePort',
  'healthCheckNodePort',
  'stdin',
  'stdinOnce',
  'tty',
  'hostIPC',
  'hostNetwork',
  'hostPID',
  'publishNotReadyAddresses',
  'readOnly',
  'observedGeneration',
  'restartCount',
]);

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function signed(v: bigint, bits: 32 | 64): number {
  return Number(BigInt.asIntN(bits, v));
}

function scalar(d: FieldDesc, f: Field): unknown {
  switch (d.type) {
    case 9:
      return text(f);
    case 12:
      return (f.value as Buffer).toString('base64');
    case 8:
      return (f.value as bigint) !== 0n;
    case 3:
    case 18:
      return signed(f.value as bigint, 64);
    case 5:
    case 17:
    case 14:
      return signed(f.value as bigint, 32);
    case 4:
    case 13:
      return Number(f.value);
    case 1:
      return (f.value as Buffer).readDoubleLE(0);
    case 2:
      return (f.value as Buffer).readFloatLE(0);
    default:
      return undefined;
  }
}

/** Decodes one message to the JSON the apiserver would have received. */
export function decodeMessage(schema: Schema, typeName: string, buf: Buffer): unknown {
  switch (typeName) {
    case `${META}.Time`:
    case `${META}.MicroTime`: {
      let s = 0;
      let n = 0;
      for (const f of fields(buf)) {
        if (f.no === 1) s = signed(f.value as bigint, 64);
        if (f.no === 2) n = signed(f.value as bigint, 32);
      }
      return s === 0 && n === 0 ? undefined : rfc3339(s, n, typeName.endsWith('MicroTime'));
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      for (const f of fields(buf)) if (f.no === 1) return text(f);
      return '0';
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
      let type = 0;
      let i = 0;
      let s = '';
      for (const f of fields(buf)) {
        if (f.no === 1) type = Number(f.value);
        if (f.no === 2) i = signed(f.value as bigint, 32);
        if (f.no === 3) s = text(f);
      }
      return type === 1 ? s : i;
    }
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
    case `${META}.FieldsV1`:
      for (const f of fields(buf)) if (f.no === 1) return JSON.parse((f.value as Buffer).toString('utf8')) as unknown;
      return undefined;
    case `${META}.Duration`:
      for (const f of fields(buf)) if (f.no === 1) return `${signed(f.value as bigint, 64) / 1e9}s`;
      return '0s';
    default:
      break;
  }
  const m = schema.get(typeName);
  if (!m) throw new ApiError(415, 'UnsupportedMediaType', `no protobuf schema for ${typeName}`);
  const out: Record<string, unknown> = {};
  for (const f of fields(buf)) {
    const d = m.fields.get(f.no);
    if (!d) continue;
    let value: unknown;
    if (d.type === 11 && d.typeName) {
      const sub = schema.get(d.typeName);
      if (sub?.mapEntry) {
        const entry = decodeMessage(schema, d.typeName, f.value as Buffer) as { key?: unknown; value?: unknown };
        const map = (out[d.name] ??= {}) as Record<string, unknown>;
        map[String(entry.key ?? '')] = entry.value ?? (sub.fields.get(2)?.type === 9 ? '' : undefined);
        continue;
      }
      value = decodeMessage(schema, d.typeName, f.value as Buffer);
    } else if (d.repeated && f.wire === 2 && d.type !== 9 && d.type !== 12) {
      // packed scalars
      const list = (out[d.name] ??= []) as unknown[];
      for (const v of packedVarints(f.value as Buffer)) list.push(scalar(d, { no: f.no, wire: 0, value: v }));
      continue;
    } else value = scalar(d, f);
    if (d.repeated) ((out[d.name] ??= []) as unknown[]).push(value ?? null);
    else if (INLINE.has(d.name) && typeof value === 'object' && value !== null) Object.assign(out, value);
    else if (value === undefined || value === '' || ((value === 0 || value === false) && OMIT_ZERO.has(d.name)))
      continue;
    else out[d.name] = value;
  }
  return out;
}
