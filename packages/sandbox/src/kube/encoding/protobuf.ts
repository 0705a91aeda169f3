/**
 * Decoder for `application/vnd.kubernetes.protobuf` request bodies: the `k8s\0` magic, a
 * runtime.Unknown envelope (typeMeta=1, raw=2, contentEncoding=3, contentType=4) and, written
 * out here, the messages helm and kubectl send most: helm's release Secrets (create/update) and
 * its DeleteOptions, kubectl's Namespace create, ConfigMaps. Any other built-in kind (kubectl
 * 1.34's `create deployment|service|job|…`) is decoded with the descriptors embedded in the real
 * kubectl binary (proto-schema.ts); without it such a body is a 415.
 */
import { toolPaths } from '../../tools.js';
import { ApiError } from '../server/errors.js';
import { fields, malformed, type Field } from './protobuf-wire.js';
import { decodeMessage, loadSchema, messageName } from './proto-schema.js';

const str = (f: Field): string => (f.value as Buffer).toString('utf8');
const bytes = (f: Field): Buffer => f.value as Buffer;
const int = (f: Field): number => Number(BigInt.asIntN(64, f.value as bigint));
const bool = (f: Field): boolean => (f.value as bigint) !== 0n;

function mapEntry(buf: Buffer): [string, Field | undefined] {
  let key = '';
  let value: Field | undefined;
  for (const f of fields(buf)) {
    if (f.no === 1) key = str(f);
    if (f.no === 2) value = f;
  }
  return [key, value];
}

function time(buf: Buffer): string {
  let seconds = 0;
  for (const f of fields(buf)) if (f.no === 1) seconds = int(f);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const finalizers: string[] = [];
  const owners: Array<Record<string, unknown>> = [];
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        m.name = str(f);
        break;
      case 2:
        m.generateName = str(f);
        break;
      case 3:
        m.namespace = str(f);
        break;
      case 5:
        m.uid = str(f);
        break;
      case 6:
        m.resourceVersion = str(f);
        break;
      case 7:
        m.generation = int(f);
        break;
      case 8:
        m.creationTimestamp = time(bytes(f));
        break;
      case 11: {
        const [k, v] = mapEntry(bytes(f));
        labels[k] = v ? str(v) : '';
        break;
      }
      case 12: {
        const [k, v] = mapEntry(bytes(f));
        annotations[k] = v ? str(v) : '';
        break;
      }
      case 13:
        owners.push(ownerReference(bytes(f)));
        break;
      case 14:
        finalizers.push(str(f));
        break;
      default:
        break;
    }
  }
  if (Object.keys(labels).length) m.labels = labels;
  if (Object.keys(annotations).length) m.annotations = annotations;
  if (finalizers.length) m.finalizers = finalizers;
  if (owners.length) m.ownerReferences = owners;
  for (const k of ['name', 'namespace', 'generateName', 'uid', 'resourceVersion', 'creationTimestamp'])
    if (m[k] === '') delete m[k];
  if (m.generation === 0) delete m.generation;
  return m;
}

function ownerReference(buf: Buffer): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields(buf)) {
    if (f.no === 1) o.kind = str(f);
    if (f.no === 3) o.name = str(f);
    if (f.no === 4) o.uid = str(f);
    if (f.no === 5) o.apiVersion = str(f);
    if (f.no === 6) o.controller = bool(f);
    if (f.no === 7) o.blockOwnerDeletion = bool(f);
  }
  return o;
}

function secret(buf: Buffer): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  for (const f of fields(buf)) {
    if (f.no === 1) o.metadata = objectMeta(bytes(f));
    if (f.no === 2) {
      const [k, v] = mapEntry(bytes(f));
      data[k] = v ? bytes(v).toString('base64') : '';
    }
    if (f.no === 3) o.type = str(f);
    if (f.no === 4) {
      const [k, v] = mapEntry(bytes(f));
      stringData[k] = v ? str(v) : '';
    }
    if (f.no === 5) o.immutable = bool(f);
  }
  if (Object.keys(data).length) o.data = data;
  if (Object.keys(stringData).length) o.stringData = stringData;
  if (o.type === '') delete o.type;
  return o;
}

function configMap(buf: Buffer): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  for (const f of fields(buf)) {
    if (f.no === 1) o.metadata = objectMeta(bytes(f));
    if (f.no === 2) {
      const [k, v] = mapEntry(bytes(f));
      data[k] = v ? str(v) : '';
    }
    if (f.no === 3) {
      const [k, v] = mapEntry(bytes(f));
      binaryData[k] = v ? bytes(v).toString('base64') : '';
    }
    if (f.no === 4) o.immutable = bool(f);
  }
  if (Object.keys(data).length) o.data = data;
  if (Object.keys(binaryData).length) o.binaryData = binaryData;
  return o;
}

function namespace(buf: Buffer): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields(buf)) {
    if (f.no === 1) o.metadata = objectMeta(bytes(f));
    if (f.no === 2) {
      const finalizers = fields(bytes(f))
        .filter((x) => x.no === 1)
        .map(str);
      o.spec = finalizers.length ? { finalizers } : {};
    }
    if (f.no === 3) {
      const phase = fields(bytes(f)).find((x) => x.no === 1);
      o.status = phase ? { phase: str(phase) } : {};
    }
  }
  return o;
}

function deleteOptions(buf: Buffer): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const dryRun: string[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) o.gracePeriodSeconds = int(f);
    if (f.no === 2) {
      const pre: Record<string, string> = {};
      for (const p of fields(bytes(f))) {
        if (p.no === 1) pre.uid = str(p);
        if (p.no === 2) pre.resourceVersion = str(p);
      }
      o.preconditions = pre;
    }
    if (f.no === 3) o.orphanDependents = bool(f);
    if (f.no === 4) o.propagationPolicy = str(f);
    if (f.no === 5) dryRun.push(str(f));
  }
  if (dryRun.length) o.dryRun = dryRun;
  return o;
}

const decoders: Record<string, (b: Buffer) => Record<string, unknown>> = {
  Secret: secret,
  ConfigMap: configMap,
  Namespace: namespace,
  DeleteOptions: deleteOptions,
};

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/**
 * Decodes a protobuf request body to the JSON object the client meant. A kind we cannot decode
 * is a 415, which real clients surface rather than retry as JSON, so the message names it.
 */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) throw malformed('missing k8s\\0 prefix');
  let apiVersion = '';
  let kind = '';
  let raw = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) {
      for (const t of fields(bytes(f))) {
        if (t.no === 1) apiVersion = str(t);
        if (t.no === 2) kind = str(t);
      }
    }
    if (f.no === 2) raw = Buffer.from(bytes(f));
  }
  const decode = decoders[kind];
  if (decode) return { apiVersion, kind, ...decode(raw) };
  const schema = loadSchema(clientBinary());
  if (!schema?.has(messageName(apiVersion, kind))) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the stand-in cannot decode protobuf bodies of kind "${kind}" (${apiVersion}); send JSON`,
    );
  }
  return {
    apiVersion,
    kind,
    ...(decodeMessage(schema, messageName(apiVersion, kind), raw) as Record<string, unknown>),
  };
}

/** The newest real client binary, whose embedded descriptors describe every built-in kind (see proto-schema.ts). */
function clientBinary(): string | undefined {
  try {
    return toolPaths().v34.kubectl;
  } catch {
    return undefined;
  }
}

/** Minimal encoder used by tests to build bodies exactly as client-go lays them out. */
export const encode = {
  varint(n: number | bigint): Buffer {
    let v = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      out.push(b);
    } while (v > 0n);
    return Buffer.from(out);
  },
  bytes(no: number, b: Buffer | string): Buffer {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    return Buffer.concat([encode.varint((no << 3) | 2), encode.varint(buf.length), buf]);
  },
  int(no: number, n: number | bigint): Buffer {
    return Buffer.concat([encode.varint(no << 3), encode.varint(n)]);
  },
  entry(no: number, k: string, v: Buffer | string): Buffer {
    return encode.bytes(no, Buffer.concat([encode.bytes(1, k), encode.bytes(2, v)]));
  },
  envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
    const typeMeta = Buffer.concat([encode.bytes(1, apiVersion), encode.bytes(2, kind)]);
    return Buffer.concat([
      PROTOBUF_MAGIC,
      encode.bytes(1, typeMeta),
      encode.bytes(2, raw),
      encode.bytes(3, ''),
      encode.bytes(4, ''),
    ]);
  },
};
