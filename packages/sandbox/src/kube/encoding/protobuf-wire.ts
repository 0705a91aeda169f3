/**
 * The one protobuf wire-format reader of the sandbox: fields of a message (varint, 64-bit,
 * length-delimited, 32-bit), bounds-checked, for request bodies and kubectl's embedded descriptors.
 */
import { ApiError } from '../server/errors.js';

/** One field as written on the wire: its number, wire type and raw value (varint or bytes). */
export interface Field {
  no: number;
  wire: number;
  value: bigint | Buffer;
}

/** A body the wire format cannot describe is the client's error: 400, as the apiserver answers. */
export function malformed(why: string): ApiError {
  return new ApiError(400, 'BadRequest', `unable to decode protobuf body: ${why}`);
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw malformed('varint too long');
    }
  }

  field(): Field {
    const tag = Number(this.varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    switch (wire) {
      case 0:
        return { no, wire, value: this.varint() };
      case 1:
        return { no, wire, value: this.take(8) };
      case 2:
        return { no, wire, value: this.take(Number(this.varint())) };
      case 5:
        return { no, wire, value: this.take(4) };
      default:
        throw malformed(`unsupported wire type ${wire}`);
    }
  }

  private take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw malformed('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** Every field of one message, in wire order. */
export function fields(buf: Buffer): Field[] {
  const r = new Reader(buf);
  const out: Field[] = [];
  while (!r.done()) out.push(r.field());
  return out;
}

/** The varints of a packed repeated scalar field. */
export function packedVarints(buf: Buffer): bigint[] {
  const r = new Reader(buf);
  const out: bigint[] = [];
  while (!r.done()) out.push(r.varint());
  return out;
}
