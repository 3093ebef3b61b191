// The safetensors format (Hugging Face), so weights move to and from
// PyTorch: an 8-byte little-endian header length, a JSON header mapping each
// name to {dtype, shape, data_offsets} (plus optional string __metadata__),
// then the raw little-endian data. convnode writes F32, and I64 for counter
// buffers (BatchNorm's num_batches_tracked, as PyTorch writes it). It reads
// every dtype the format defines into float32: floats converted (F64 and
// F16/BF16 to the nearest float32), integers and BOOL exactly, and an
// integer float32 cannot hold exactly is an error naming the tensor.
import * as fs from 'node:fs';

export class SafetensorsError extends RangeError {
  constructor(readonly source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export interface NamedTensor {
  shape: readonly number[];
  data: Float32Array;
  /** The file's dtype: written as I64 when 'I64' (whole numbers only); read: what the file held. */
  dtype?: string;
}

/** The largest integer every float32 holds exactly, and its neighbours down to -2^24. */
const FLOAT32_EXACT = 2 ** 24;

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
    const dtype = t.dtype === 'I64' ? 'I64' : 'F32';
    if (dtype === 'I64' && !t.data.every((v) => Number.isInteger(v)))
      throw new RangeError(`encodeSafetensors: '${name}' is written as I64 but holds values that are not whole numbers`);
    const bytes = (dtype === 'I64' ? 8 : 4) * count;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
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
    const { data: d, dtype } = tensors[name]!;
    const size = dtype === 'I64' ? 8 : 4;
    const view = new DataView(out.buffer, out.byteOffset + at, d.length * size);
    for (let i = 0; i < d.length; i++) {
      if (dtype === 'I64') view.setBigInt64(8 * i, BigInt(d[i]!), true);
      else view.setFloat32(4 * i, d[i]!, true);
    }
    at += d.length * size;
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Every dtype of the format; `integer` marks the ones whose values must fit float32 exactly. */
const DTYPES: Record<string, { bytes: number; integer?: true; read: (v: DataView, at: number) => number | bigint }> = {
  F32: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  F64: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  F16: { bytes: 2, read: (v, at) => halfToFloat(v.getUint16(at, true)) },
  BF16: { bytes: 2, read: (v, at) => new Float32Array(new Uint32Array([v.getUint16(at, true) << 16]).buffer)[0]! },
  I64: { bytes: 8, integer: true, read: (v, at) => v.getBigInt64(at, true) },
  U64: { bytes: 8, integer: true, read: (v, at) => v.getBigUint64(at, true) },
  I32: { bytes: 4, integer: true, read: (v, at) => v.getInt32(at, true) },
  U32: { bytes: 4, integer: true, read: (v, at) => v.getUint32(at, true) },
  I16: { bytes: 2, integer: true, read: (v, at) => v.getInt16(at, true) },
  U16: { bytes: 2, integer: true, read: (v, at) => v.getUint16(at, true) },
  I8: { bytes: 1, integer: true, read: (v, at) => v.getInt8(at) },
  U8: { bytes: 1, integer: true, read: (v, at) => v.getUint8(at) },
  BOOL: { bytes: 1, integer: true, read: (v, at) => (v.getUint8(at) !== 0 ? 1 : 0) },
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
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new SafetensorsError(source, `'${name}' is not a tensor entry ({dtype, shape, data_offsets}), got ${JSON.stringify(entry)}`);
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
    for (let i = 0; i < count; i++) {
      const v = dt.read(view, dataStart + offs[0] + i * dt.bytes);
      if (dt.integer === true && (v > FLOAT32_EXACT || v < -FLOAT32_EXACT))
        throw new SafetensorsError(source, `'${name}' holds the ${e.dtype as string} value ${v}, which float32 cannot hold exactly (|v| <= 2^24)`);
      data[i] = Number(v);
    }
    tensors[name] = { shape: e.shape as number[], data, dtype: e.dtype as string };
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1]) throw new SafetensorsError(source, `tensors '${ranges[i - 1]![2]}' and '${ranges[i]![2]}' overlap`);
  }
  return { tensors, metadata };
}

/** Reads and decodes a safetensors file, with a clear error when it does not exist. */
export function readSafetensorsFile(file: string): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  return decodeSafetensors(readSafetensorsBytes(file), file);
}

/** A safetensors file's bytes, undecoded; a SafetensorsError naming it when it is not a file. */
export function readSafetensorsBytes(file: string): Uint8Array {
  if (!fs.existsSync(file)) throw new SafetensorsError(file, 'no such file');
  if (!fs.statSync(file).isFile()) throw new SafetensorsError(file, 'not a file (a folder?)');
  return fs.readFileSync(file);
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
