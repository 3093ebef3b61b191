// Image folders written here: class subfolders sorted into labels; lossless
// PNGs (RGB, RGBA with the alpha dropped, grayscale repeated) decode to
// exactly their bytes with every decoder (@napi-rs/image, sharp, and the
// pure-JS fallback), and 'auto' gives each file to the one meant for it,
// and a crop of the centre needs no resampling; downscaling agrees between
// the two within a few levels on a smooth image; a file that is not an image
// is an error naming it, or skipped and listed; train/ and val/ folders or a
// seeded split make the test set.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageFormatError } from '../lib/data/image';
import { loadImageFolderSplits, readImageFolder } from '../lib/data/image-folder';
import { loadNapiImage, loadSharp, type ImageDecoder } from '../lib/data/image-decoders';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-folder-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** RGB value of pixel (x, y) of image `seed`. */
const rgb = (seed: number, x: number, y: number) => [(seed * 50 + x * 13) % 256, (seed * 30 + y * 17) % 256, (x * y + seed) % 256] as const;

function writePng(file: string, w: number, h: number, seed: number, colorType: 0 | 2 | 6 = 2): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const png = new PNG({ width: w, height: h, colorType, inputColorType: 6 });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = rgb(seed, x, y);
      const v = colorType === 0 ? [r, r, r] : [r, g, b];
      png.data.set([...v, colorType === 6 ? 128 : 255], 4 * (y * w + x));
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png, { colorType, inputColorType: 6 }));
}

function writeJpeg(file: string, size: number): void {
  const data = Buffer.alloc(size * size * 4, 200);
  fs.writeFileSync(file, jpeg.encode({ data, width: size, height: size }, 95).data);
}

/** Channel c of pixel (x, y) of sample k, as stored (CHW bytes). */
const at = (bytes: Uint8Array, k: number, c: number, x: number, y: number, size: number) => bytes[k * 3 * size * size + (c * size + y) * size + x]!;

// The repository installs sharp and @napi-rs/image (optional dependencies of the package), so all run here.
const DECODERS: ImageDecoder[] = ['napi-rs', 'sharp', 'js'];

describe.each(DECODERS)('image folders (%s decoder)', (decoder) => {
  const dir = path.join(tmp, `folder-${decoder}`);
  writePng(path.join(dir, 'zebra', 'a.png'), 8, 8, 1);
  writePng(path.join(dir, 'ant', 'nested', 'b.png'), 8, 8, 2, 6); // RGBA, in a subfolder
  writePng(path.join(dir, 'ant', 'c.PNG'), 8, 8, 3, 0); // grayscale, upper-case extension
  writePng(path.join(dir, 'cat', 'wide.png'), 16, 8, 4); // 16x8: the central 8x8 is kept
  writeJpeg(path.join(dir, 'cat', 'd.jpg'), 20);
  fs.writeFileSync(path.join(dir, 'cat', 'notes.txt'), 'not an image, and not named like one: ignored');

  it('sorts the class folders into labels and decodes lossless PNGs to exactly their bytes', async () => {
    const f = await readImageFolder(dir, { size: 8, decoder });
    expect(f.decoders).toEqual({ [decoder]: 5 });
    expect(f.classNames).toEqual(['ant', 'cat', 'zebra']);
    expect(f.files.map((p) => path.relative(dir, p))).toEqual(['ant/c.PNG', 'ant/nested/b.png', 'cat/d.jpg', 'cat/wide.png', 'zebra/a.png']);
    expect(Array.from(f.dataset.labels)).toEqual([0, 0, 1, 1, 2]);
    expect(f.dataset.imageShape).toEqual([3, 8, 8]);
    const bytes = f.dataset.images as Uint8Array;
    for (const [k, seed, gray, dx] of [[4, 1, false, 0], [1, 2, false, 0], [0, 3, true, 0], [3, 4, false, 4]] as const) {
      for (const [x, y] of [[0, 0], [7, 7], [3, 5], [6, 1]] as const) {
        const [r, g, b] = rgb(seed, x + dx, y);
        expect([0, 1, 2].map((c) => at(bytes, k, c, x, y, 8)), `sample ${k} pixel (${x}, ${y})`).toEqual(gray ? [r, r, r] : [r, g, b]);
      }
    }
    // The JPEG: a flat 200 grey, within JPEG's rounding.
    for (let c = 0; c < 3; c++) expect(Math.abs(at(bytes, 2, c, 4, 4, 8) - 200)).toBeLessThanOrEqual(2);
    expect(f.dataset.gather([4]).x.data[0]).toBe(Math.fround((rgb(1, 0, 0)[0] / 255 - 0.5) / 0.5));
  });

  it('one channel: grayscale images keep their bytes', async () => {
    const f = await readImageFolder(dir, { size: 8, decoder, channels: 1 });
    expect(f.dataset.imageShape).toEqual([1, 8, 8]);
    expect((f.dataset.images as Uint8Array)[3 * 8 + 5]).toBe(rgb(3, 5, 3)[0]);
  });

  it('a file that is not an image is an error naming it, or with skipInvalid skipped and listed', async () => {
    const bad = path.join(tmp, `bad-${decoder}`);
    writePng(path.join(bad, 'a', 'ok.png'), 4, 4, 1);
    writePng(path.join(bad, 'b', 'ok.png'), 4, 4, 2);
    const liar = path.join(bad, 'b', 'liar.png');
    fs.writeFileSync(liar, 'this is text, not a PNG');
    await expect(readImageFolder(bad, { size: 4, decoder })).rejects.toThrow(ImageFormatError);
    await expect(readImageFolder(bad, { size: 4, decoder })).rejects.toThrow(new RegExp(`^${liar.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*pass skipInvalid`));
    const f = await readImageFolder(bad, { size: 4, decoder, skipInvalid: true });
    expect([f.dataset.length, f.skipped.map((s) => s.file)]).toEqual([2, [liar]]);
    fs.mkdirSync(path.join(bad, 'empty'));
    await expect(readImageFolder(bad, { size: 4, decoder })).rejects.toThrow(/empty: has no \.png, \.jpg or \.jpeg files/);
  });
});

describe('the decoders', () => {
  it('sharp and @napi-rs/image load here; auto decodes images already at size with @napi-rs/image, the rest with sharp, to the same bytes', async () => {
    expect(loadSharp()).not.toBeNull();
    expect(loadNapiImage()).not.toBeNull();
    const dir = path.join(tmp, 'folder-js'); // written by the 'js' block above
    const auto = await readImageFolder(dir, { size: 8 });
    expect(auto.decoders).toEqual({ 'napi-rs': 3, sharp: 2 });
    const bySharp = await readImageFolder(dir, { size: 8, decoder: 'sharp' });
    expect(Array.from(auto.dataset.images)).toEqual(Array.from(bySharp.dataset.images));
  });

  it('a 16-bit PNG goes to sharp (@napi-rs/image would give 16-bit samples), and agrees with the JS path', async () => {
    const dir = path.join(tmp, 'deep');
    fs.mkdirSync(path.join(dir, 'a'), { recursive: true });
    const png = new PNG({ width: 8, height: 8, bitDepth: 16, colorType: 2, inputColorType: 2, inputHasAlpha: false });
    png.data = Buffer.alloc(8 * 8 * 6);
    for (let i = 0; i < 64; i++) for (let c = 0; c < 3; c++) png.data.writeUInt16BE((i * 997 + c * 20000) % 65536, 6 * i + 2 * c);
    fs.writeFileSync(path.join(dir, 'a', 'deep.png'), PNG.sync.write(png, { bitDepth: 16, colorType: 2, inputColorType: 2, inputHasAlpha: false }));
    const auto = await readImageFolder(dir, { size: 8 });
    const js = await readImageFolder(dir, { size: 8, decoder: 'js' });
    expect(auto.decoders).toEqual({ sharp: 1 });
    const a = auto.dataset.images, b = js.dataset.images;
    expect(new Set(Array.from(a)).size).toBeGreaterThan(20);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `byte ${i}`).toBeLessThanOrEqual(1);
  });

  it('agree within a few levels when they downscale a smooth image (sharp against resize.ts)', async () => {
    const dir = path.join(tmp, 'smooth');
    fs.mkdirSync(path.join(dir, 'x'), { recursive: true });
    const png = new PNG({ width: 48, height: 40 });
    for (let y = 0; y < 40; y++) for (let x = 0; x < 48; x++) png.data.set([x * 5, y * 6, 128 + ((x + y) % 8), 255], 4 * (y * 48 + x));
    fs.writeFileSync(path.join(dir, 'x', 'g.png'), PNG.sync.write(png));
    const [s, j, n] = await Promise.all((['sharp', 'js', 'napi-rs'] as const).map((decoder) => readImageFolder(dir, { size: 10, decoder })));
    const a = s!.dataset.images as Uint8Array, b = j!.dataset.images as Uint8Array;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThanOrEqual(6);
    // @napi-rs/image decodes, resize.ts resizes: the JS path's bytes.
    expect(Array.from(n!.dataset.images)).toEqual(Array.from(b));
  });
});

describe('training and test sets from an image folder', () => {
  it('uses train/ and val/ when the folder has them, and refuses different classes', async () => {
    const dir = path.join(tmp, 'tv');
    for (const split of ['train', 'val']) for (const c of ['a', 'b']) writePng(path.join(dir, split, c, `${split}.png`), 6, 6, c === 'a' ? 1 : 2);
    const d = await loadImageFolderSplits(dir, { size: 6 });
    expect([d.train.length, d.test.length, d.classNames, d.split]).toEqual([2, 2, ['a', 'b'], 'train/ and val/']);
    writePng(path.join(dir, 'val', 'c', 'x.png'), 6, 6, 3);
    await expect(loadImageFolderSplits(dir, { size: 6 })).rejects.toThrow(/class folders \(a, b, c\) are not those of .*train \(a, b\)/);
  });

  it('otherwise splits one folder at random, the same way for the same seed', async () => {
    const dir = path.join(tmp, 'one');
    for (let i = 0; i < 20; i++) writePng(path.join(dir, i % 2 ? 'odd' : 'even', `${String(i).padStart(2, '0')}.png`), 4, 4, i);
    const a = await loadImageFolderSplits(dir, { size: 4, testFraction: 0.25, seed: 3 });
    const b = await loadImageFolderSplits(dir, { size: 4, testFraction: 0.25, seed: 3 });
    expect([a.train.length, a.test.length]).toEqual([15, 5]);
    expect(Array.from(a.test.images)).toEqual(Array.from(b.test.images));
    expect(a.split).toMatch(/^a seeded split \(seed 3\): 5 test image\(s\), 15 training$/);
  });
});
