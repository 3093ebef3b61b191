// The IDX format of MNIST-style datasets (LeCun): a big-endian magic of
// 0x00 0x00 <type> <rank>, rank dimension sizes, then the values. Files may
// be gzip-compressed. Only unsigned bytes (type 0x08) are used by the image
// and label files; other types are read into a Float32Array.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface IdxArray {
  dims: number[];
  data: Uint8Array | Float32Array;
}

export class IdxFormatError extends RangeError {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'IdxFormatError';
  }
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/** Parses IDX bytes (already decompressed); `file` names the source in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new IdxFormatError(file, `truncated: ${bytes.length} bytes is shorter than the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = TYPES[bytes[2]!];
  const rank = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || rank < 1) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new IdxFormatError(file, `not an IDX file: magic number ${magic}, expected 00 00 <type 08..0e> <rank >= 1>`);
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new IdxFormatError(file, `truncated: the header needs ${header} bytes, the file has ${bytes.length}`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const need = header + count * type.bytes;
  if (bytes.length < need) {
    throw new IdxFormatError(file, `truncated: dimensions [${dims.join(', ')}] of ${type.name} need ${need} bytes, the file has ${bytes.length}`);
  }
  if (type.bytes === 1 && type.name === 'uint8') return { dims, data: bytes.slice(header, header + count) };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = header + i * type.bytes;
    out[i] = type.name === 'int8' ? view.getInt8(at)
      : type.name === 'int16' ? view.getInt16(at, false)
      : type.name === 'int32' ? view.getInt32(at, false)
      : type.name === 'float32' ? view.getFloat32(at, false)
      : view.getFloat64(at, false);
  }
  return { dims, data: out };
}

/** Reads an IDX file, plain or gzip-compressed (detected from its first bytes). */
export function readIdx(file: string): IdxArray {
  if (!fs.existsSync(file)) throw new IdxFormatError(file, 'no such file');
  if (!fs.statSync(file).isFile()) throw new IdxFormatError(file, 'not a file (a folder?); pass the IDX file itself');
  let bytes: Uint8Array = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (err) {
      throw new IdxFormatError(file, `corrupt or truncated gzip data (${(err as Error).message})`);
    }
  }
  return parseIdx(bytes, file);
}
