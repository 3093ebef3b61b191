// The safetensors format (Hugging Face), so weights move to and from
// PyTorch: an 8-byte little-endian header length, a JSON header mapping each
// name to {dtype, shape, data_offsets} (plus optional string __metadata__),
// then the raw little-endian data. convnode writes F32; it reads F32, and
// F16/BF16/F64 converted to F32.
import * as fs from 'node:fs';

export class SafetensorsError extends Error {
  constructor(readonly source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export interface NamedTensor {
  shape: readonly number[];
  data: Float32Array;
}

const MAX_HEADER = 100 * 1024 * 1024;

export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new RangeError(`encodeSafetensors: '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  // Pad the header so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name]!.data;
    const view = new DataView(out.buffer, out.byteOffset + at, d.length * 4);
    for (let i = 0; i < d.length; i++) view.setFloat32(4 * i, d[i]!, true);
    at += d.length * 4;
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const DTYPES: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  F32: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  F64: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  F16: { bytes: 2, read: (v, at) => halfToFloat(v.getUint16(at, true)) },
  BF16: { bytes: 2, read: (v, at) => new Float32Array(new Uint32Array([v.getUint16(at, true) << 16]).buffer)[0]! },
};

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new SafetensorsError(source, `truncated: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > bytes.length) {
    throw new SafetensorsError(source, `corrupted header: it claims ${headerLen} bytes, the file has ${bytes.length - 8} after the length field`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLen).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new SafetensorsError(source, `corrupted header: not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError(source, 'corrupted header: not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  const ranges: Array<[number, number, string]> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dt = typeof e.dtype === 'string' ? DTYPES[e.dtype] : undefined;
    if (dt === undefined) throw new SafetensorsError(source, `'${name}' has dtype ${JSON.stringify(e.dtype)}; supported: ${Object.keys(DTYPES).join(', ')}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new SafetensorsError(source, `'${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0) || offs[0] > offs[1] || offs[1] > dataLen) {
      throw new SafetensorsError(source, `'${name}' has data offsets ${JSON.stringify(offs)} outside the ${dataLen}-byte data section (truncated file?)`);
    }
    const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
    if (offs[1] - offs[0] !== count * dt.bytes) {
      throw new SafetensorsError(source, `'${name}': shape [${(e.shape as number[]).join(', ')}] of ${e.dtype} needs ${count * dt.bytes} bytes, offsets give ${offs[1] - offs[0]}`);
    }
    ranges.push([offs[0], offs[1], name]);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = dt.read(view, dataStart + offs[0] + i * dt.bytes);
    tensors[name] = { shape: e.shape as number[], data };
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1]) throw new SafetensorsError(source, `tensors '${ranges[i - 1]![2]}' and '${ranges[i]![2]}' overlap`);
  }
  return { tensors, metadata };
}

/** Reads and decodes a safetensors file, with a clear error when it does not exist. */
export function readSafetensorsFile(file: string): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  return decodeSafetensors(fs.readFileSync(file), file);
}

/**
 * The JSON convnode keeps under the "convnode" metadata key, checked to be
 * of the expected format; `missing` explains what the file is otherwise.
 */
export function convnodeMetadata<T extends { format: string }>(file: string, metadata: Record<string, string>, format: string, missing: string): T {
  let value: T | null;
  try {
    value = JSON.parse(metadata['convnode'] ?? 'null') as T | null;
  } catch {
    throw new SafetensorsError(file, 'the convnode metadata is not valid JSON');
  }
  if (value === null || value.format !== format) throw new SafetensorsError(file, missing);
  return value;
}
