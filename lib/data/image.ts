// Reading PNG and JPEG files into the model's input layout with well-kept
// pure-JS decoders (pngjs, jpeg-js): grayscale or RGB, checked against the
// size the model expects, normalised like the training data.
import * as fs from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { checkOptionKeys } from '../util/options';
import { resizeCoverToChw } from './resize';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  rgba: Uint8Array;
}

/** An image file that cannot be read or decoded: names the file and what is wrong. */
export class ImageFormatError extends RangeError {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ImageFormatError';
  }
}

/** The default of decodeImage's limitInputPixels: 4096 x 4096 (64 MB of RGBA). */
export const DEFAULT_LIMIT_INPUT_PIXELS = 4096 * 4096;

/**
 * The width and height a PNG or JPEG header declares, read before any
 * decoding (PNG: IHDR; JPEG: the first start-of-frame marker); null when
 * the header does not say.
 */
export function declaredImageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    return bytes.length >= 24 ? { width: view.getUint32(16), height: view.getUint32(20) } : null;
  }
  // JPEG: walk the marker segments up to a SOFn (not DHT C4, JPG C8, DAC CC).
  for (let at = 2; at + 9 <= bytes.length;) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) { at += 1; continue; }
    const length = view.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    at += 2 + length;
  }
  return null;
}

/** declaredImageSize, refused (an ImageFormatError naming `file`) when it is more than `limit` pixels. */
export function checkedImageSize(bytes: Uint8Array, file: string, limit: number): { width: number; height: number } | null {
  const size = declaredImageSize(bytes);
  if (size !== null && size.width * size.height > limit) {
    throw new ImageFormatError(file, `the image declares ${size.width}x${size.height} = ${size.width * size.height} pixels, ` +
      `more than limitInputPixels (${limit}); pass a larger limitInputPixels to decode it`);
  }
  return size;
}

/**
 * Decodes a PNG or JPEG file. Its declared size is checked against
 * limitInputPixels (default DEFAULT_LIMIT_INPUT_PIXELS, as sharp's option of
 * that name) before anything is decoded: a small file declaring a huge image
 * is refused at once instead of costing gigabytes.
 */
export function decodeImage(file: string, options: { limitInputPixels?: number } = {}): DecodedImage {
  checkOptionKeys('decodeImage', options, ['limitInputPixels']);
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`decodeImage: limitInputPixels must be a positive integer, got ${String(limit)}`);
  if (!fs.existsSync(file)) throw new ImageFormatError(file, 'no such file');
  if (!fs.statSync(file).isFile()) throw new ImageFormatError(file, 'not a file (a folder?)');
  return decodeImageBytes(fs.readFileSync(file), file, limit);
}

/** decodeImage of a file's bytes already read (`file` names it in errors). */
export function decodeImageBytes(bytes: Uint8Array, file: string, limit = DEFAULT_LIMIT_INPUT_PIXELS): DecodedImage {
  checkedImageSize(bytes, file, limit);
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: Math.ceil(limit / 1e6) });
      return { width: img.width, height: img.height, rgba: img.data };
    }
  } catch (err) {
    throw new ImageFormatError(file, `cannot decode image (${(err as Error).message})`);
  }
  throw new ImageFormatError(file, 'not a PNG or JPEG file');
}

/**
 * The image's pixels as bytes, `channels` per pixel, interleaved: R, G, B
 * (alpha dropped), or one luma value (ITU-R 601, as PIL's convert('L');
 * a grey image keeps its value). The one conversion training and
 * prediction both use.
 */
export function imageBytes(img: DecodedImage, channels: 1 | 3): Uint8Array {
  return interleavedBytes(img.rgba, 4, img.width * img.height, channels);
}

/** imageBytes of n interleaved pixels of `have` channels: 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA). */
export function interleavedBytes(px: Uint8Array, have: number, n: number, channels: 1 | 3): Uint8Array {
  if (have === channels) return px.subarray(0, n * channels);
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const r = px[have * i]!, g = px[have * i + (have >= 3 ? 1 : 0)]!, b = px[have * i + (have >= 3 ? 2 : 0)]!;
    if (channels === 3) {
      out[3 * i] = r;
      out[3 * i + 1] = g;
      out[3 * i + 2] = b;
    } else {
      out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  return out;
}

/**
 * The image as the model's input [channels, h, w]: resized like the
 * training images when its size differs (shorter side to the model's, then
 * the centre; image-folder.ts), pixels in [0, 1] then (v - mean) / std,
 * mean and std one number or one per channel.
 */
export function imageToInput(img: DecodedImage, shape: readonly [number, number, number], meanOf: number | number[], stdOf: number | number[], file = 'image'): Float32Array {
  const [c, h, w] = shape;
  if (c !== 1 && c !== 3) throw new RangeError(`${file}: the model expects ${c} channels; images give 1 (grayscale) or 3 (RGB)`);
  if (!(img.width === w && img.height === h) && h !== w) {
    throw new RangeError(`${file}: the model expects ${w}x${h} images, this one is ${img.width}x${img.height} (only square inputs are resized)`);
  }
  const px = imageBytes(img, c);
  let planes: Uint8Array;
  if (img.width === w && img.height === h) {
    planes = new Uint8Array(c * h * w);
    for (let i = 0; i < h * w; i++) for (let ch = 0; ch < c; ch++) planes[ch * h * w + i] = px[i * c + ch]!;
  } else {
    planes = resizeCoverToChw(px, img.width, img.height, c, h);
  }
  const out = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    const m = typeof meanOf === 'number' ? meanOf : meanOf[ch]!, sd = typeof stdOf === 'number' ? stdOf : stdOf[ch]!;
    for (let i = 0; i < h * w; i++) out[ch * h * w + i] = (planes[ch * h * w + i]! / 255 - m) / sd;
  }
  return out;
}
