// Which library decodes an image file into a dataset's bytes. Two
// well-kept native libraries from npm (both optional dependencies), each
// where it is fastest, measured on this project's 2-core EPYC:
//   - @napi-rs/image for an image already size x size (a prepared dataset):
//     decoding alone, 0.13 ms of CPU for a 96x96 JPEG, where sharp's
//     per-call cost is 0.6 ms;
//   - sharp (libvips) for an image to resize: it decodes a large JPEG at a
//     fraction of its size (shrink-on-load), 3.5 ms for 1024x768 -> 96 where
//     decoding it whole takes 14.6 ms.
// Where neither loads, the pure-JS decoders (pngjs, jpeg-js) and resize.ts
// do it; @napi-rs/image without sharp resizes with resize.ts. All give the
// same bytes for a lossless image that needs no resize.
import * as fs from 'node:fs';
import { ImageFormatError, checkedImageSize, decodeImageBytes, interleavedBytes } from './image';
import { resizeCoverToChw } from './resize';

export type ImageDecoder = 'napi-rs' | 'sharp' | 'js';

/** What every file of a folder becomes, and with which decoders. */
export interface DecodeSettings {
  /** Side of the square every image becomes. */
  size: number;
  channels: 1 | 3;
  /** Images declaring more pixels are refused before decoding. */
  limitInputPixels: number;
  /** 'auto': each file by the fastest decoder that loads; or one for every file. */
  decoder: 'auto' | ImageDecoder;
}

// The part of sharp used here, typed locally: sharp's own typings differ
// between its CommonJS and ES entry points, and a consumer of convnode's
// declarations must not need them (sharp is an optional dependency).
interface SharpImage {
  resize(width: number, height: number, options: { fit: 'cover'; position: 'centre'; kernel: 'linear' }): SharpImage;
  grayscale(): SharpImage;
  removeAlpha(): SharpImage;
  toColourspace(space: 'srgb'): SharpImage;
  raw(): SharpImage;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { channels: number } }>;
}
type Sharp = (input: Buffer, options: { limitInputPixels: number; failOn: 'error' }) => SharpImage;

// The part of @napi-rs/image used here: the decoded pixels, 8-bit,
// interleaved, with the channels the file stores (grey, grey + alpha, RGB,
// RGBA); 16-bit PNGs come out 16-bit, so they go to sharp or the JS path.
interface NapiImage {
  Transformer: new (input: Buffer) => { rawPixelsSync(): Buffer };
}

let sharpModule: Sharp | null | undefined;
let napiModule: NapiImage | null | undefined;

function optionalModule<T>(name: string): T | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch {
    return null;
  }
}

/** sharp, if it is installed and its native library loads here; else null (once). */
export function loadSharp(): Sharp | null {
  if (sharpModule === undefined) sharpModule = optionalModule<Sharp>('sharp');
  return sharpModule;
}

/** @napi-rs/image, if it is installed and loads here; else null (once). */
export function loadNapiImage(): NapiImage | null {
  if (napiModule === undefined) napiModule = optionalModule<NapiImage>('@napi-rs/image');
  return napiModule;
}

interface Decoders {
  napi: NapiImage | null;
  sharp: Sharp | null;
}

/** The libraries `decoder` may use; a clear error when the one asked for does not load. */
export function decoderTools(decoder: DecodeSettings['decoder']): Decoders {
  const tools: Decoders = { napi: decoder === 'auto' || decoder === 'napi-rs' ? loadNapiImage() : null, sharp: decoder === 'auto' || decoder === 'sharp' ? loadSharp() : null };
  if (decoder === 'sharp' && tools.sharp === null) throw new Error('readImageFolder: decoder sharp was asked for, but sharp does not load here (npm install sharp)');
  if (decoder === 'napi-rs' && tools.napi === null) throw new Error('readImageFolder: decoder napi-rs was asked for, but @napi-rs/image does not load here (npm install @napi-rs/image)');
  return tools;
}

/**
 * Interleaved pixels (`have` channels a pixel, w x h) into `out` as
 * `channels` x size x size bytes: resized by resize.ts when w x h is not
 * size x size, else copied plane by plane.
 */
function toPlanes(px: Uint8Array, have: number, w: number, h: number, channels: 1 | 3, size: number, out: Uint8Array): void {
  if (w !== size || h !== size || (have !== channels && !(have === 4 && channels === 3))) {
    const own = interleavedBytes(px, have, w * h, channels);
    out.set(w !== size || h !== size ? resizeCoverToChw(own, w, h, channels, size) : planar(own, channels, size * size));
    return;
  }
  // The common case, RGB(A) to RGB planes or grey to grey: one strided pass per plane.
  const n = size * size;
  for (let c = 0; c < channels; c++) {
    const plane = c * n;
    for (let i = 0, j = c; i < n; i++, j += have) out[plane + i] = px[j]!;
  }
}

function planar(px: Uint8Array, channels: number, n: number): Uint8Array {
  const out = new Uint8Array(channels * n);
  for (let c = 0; c < channels; c++) for (let i = 0; i < n; i++) out[c * n + i] = px[i * channels + c]!;
  return out;
}

/**
 * One file into `out` as channels x size x size bytes (shorter side resized
 * to size, the centre kept); returns which decoder made them. Its declared
 * size is checked against the limit before anything is decoded. The file
 * is read and, except by sharp, decoded synchronously: this runs in the
 * decode workers (decode-pool.ts), where that is fastest.
 */
export async function decodeFile(file: string, s: DecodeSettings, tools: Decoders, out: Uint8Array): Promise<ImageDecoder> {
  const { size, channels, limitInputPixels: limit } = s;
  const bytes = fs.readFileSync(file);
  const declared = checkedImageSize(bytes, file, limit);
  const atSize = declared !== null && declared.width === size && declared.height === size;
  const eightBit = !(bytes[0] === 0x89 && bytes[1] === 0x50 && bytes.length > 24 && bytes[24]! > 8);
  const napiCan = tools.napi !== null && declared !== null && eightBit;
  const by: ImageDecoder = s.decoder !== 'auto' ? s.decoder : napiCan && (atSize || tools.sharp === null) ? 'napi-rs' : tools.sharp !== null ? 'sharp' : 'js';
  if (by === 'napi-rs') {
    if (declared === null || !eightBit) throw new Error(declared === null ? 'its header does not give the image size' : '@napi-rs/image does not give 16-bit PNGs as bytes');
    const px = new tools.napi!.Transformer(bytes).rawPixelsSync();
    const n = declared.width * declared.height;
    if (![1, 2, 3, 4].some((k) => px.length === k * n)) throw new Error(`decoded ${px.length} bytes for ${declared.width}x${declared.height} pixels`);
    toPlanes(px, px.length / n, declared.width, declared.height, channels, size, out);
  } else if (by === 'sharp') {
    let img = tools.sharp!(bytes, { limitInputPixels: limit, failOn: 'error' }).resize(size, size, { fit: 'cover', position: 'centre', kernel: 'linear' });
    img = channels === 1 ? img.grayscale() : img.removeAlpha().toColourspace('srgb');
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    toPlanes(data, info.channels, size, size, channels, size, out);
  } else {
    const img = decodeImageBytes(bytes, file, limit);
    toPlanes(img.rgba, 4, img.width, img.height, channels, size, out);
  }
  return by;
}

/** Why a file could not be decoded, without its name (the caller adds it). */
export function decodeFailure(file: string, err: unknown): string {
  return err instanceof ImageFormatError ? err.message.slice(file.length + 2) : `cannot decode image (${(err as Error).message})`;
}
