// Reading PNG and JPEG files into the model's input layout with well-kept
// pure-JS decoders (pngjs, jpeg-js): grayscale or RGB, checked against the
// size the model expects, normalised like the training data.
import * as fs from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  rgba: Uint8Array;
}

export function decodeImage(file: string): DecodedImage {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const bytes = fs.readFileSync(file);
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return { width: img.width, height: img.height, rgba: img.data };
    }
  } catch (err) {
    throw new Error(`${file}: cannot decode image (${(err as Error).message})`);
  }
  throw new Error(`${file}: not a PNG or JPEG file`);
}

/**
 * The image as [channels, h, w] floats in [0, 1] then (v - mean) / std.
 * One channel averages R, G and B. The size must match.
 */
export function imageToInput(img: DecodedImage, shape: readonly [number, number, number], mean: number, std: number, file = 'image'): Float32Array {
  const [c, h, w] = shape;
  if (img.width !== w || img.height !== h) {
    throw new RangeError(`${file}: the model expects ${w}x${h} images, this one is ${img.width}x${img.height}`);
  }
  if (c !== 1 && c !== 3) throw new RangeError(`${file}: the model expects ${c} channels; images give 1 (grayscale) or 3 (RGB)`);
  const out = new Float32Array(c * h * w);
  for (let i = 0; i < h * w; i++) {
    const r = img.rgba[4 * i]!, g = img.rgba[4 * i + 1]!, b = img.rgba[4 * i + 2]!;
    if (c === 1) out[i] = ((r + g + b) / 3 / 255 - mean) / std;
    else {
      out[i] = (r / 255 - mean) / std;
      out[h * w + i] = (g / 255 - mean) / std;
      out[2 * h * w + i] = (b / 255 - mean) / std;
    }
  }
  return out;
}
