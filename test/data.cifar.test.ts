// CIFAR binary files written here (records with known pixels and labels):
// the loader keeps the bytes and gathers exactly (byte / 255 - mean) / std
// per channel, in NCHW order, with the labels and class names of the files; a truncated
// file, a label outside the classes and a folder of the other format are
// errors naming the file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_MEAN, CIFAR10_STD, CifarFormatError, cifarVariant, loadCifarFolder } from '../lib/data/cifar';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-cifar-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Record r's pixel i (0..3071, R then G then B planes): a pattern that differs per record and channel. */
const pixel = (r: number, i: number) => (r * 31 + i * 7) % 256;

function records(labels: number[][], from = 0): Buffer {
  return Buffer.concat(labels.map((l, k) => Buffer.from([...l, ...Array.from({ length: 3072 }, (_, i) => pixel(from + k, i))])));
}

function cifar10(dir: string, perBatch = 2): string {
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), records(Array.from({ length: perBatch }, (_, k) => [((b - 1) * perBatch + k) % 10]), (b - 1) * perBatch));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), records([[3], [9], [0]], 100));
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');
  return dir;
}

describe('CIFAR binary folders', () => {
  it('CIFAR-10: exact normalised pixels in NCHW order, labels in file order, class names from batches.meta.txt', () => {
    const dir = cifar10(path.join(tmp, 'c10'));
    expect(cifarVariant(dir)).toBe('cifar10');
    const d = loadCifarFolder(dir);
    expect([d.train.length, d.test.length, d.train.imageShape, d.train.numClasses]).toEqual([10, 3, [3, 32, 32], 10]);
    expect(Array.from(d.train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(d.test.labels)).toEqual([3, 9, 0]);
    expect(d.classNames![3]).toBe('cat');
    expect(d.train.isShared).toBe(true);
    // Stored as the file's bytes; gathered as (byte / 255 - mean) / std per channel.
    expect(d.train.images[4 * 3072 + 1023]).toBe(pixel(4, 1023));
    const x = d.train.gather([0, 4, 7, 9, 5]).x.data;
    for (const [k, r, i] of [[0, 0, 0], [1, 4, 1023], [2, 7, 1024], [3, 9, 3071], [4, 5, 2048 + 13 * 32 + 5]] as const) {
      const c = Math.floor(i / 1024);
      expect(x[k * 3072 + i], `record ${r} pixel ${i}`).toBe(Math.fround((pixel(r, i) / 255 - CIFAR10_MEAN[c]!) / CIFAR10_STD[c]!));
    }
    expect(d.test.gather([2]).x.data[5]).toBe(Math.fround((pixel(102, 5) / 255 - CIFAR10_MEAN[0]!) / CIFAR10_STD[0]!));
  });

  it('CIFAR-100: fine labels by default, coarse on request, names from the label files', () => {
    const dir = path.join(tmp, 'c100');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'train.bin'), records([[4, 77], [19, 99], [0, 0]]));
    fs.writeFileSync(path.join(dir, 'test.bin'), records([[2, 50]], 10));
    fs.writeFileSync(path.join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `super${i}`).join('\n'));
    fs.writeFileSync(path.join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `class${i}`).join('\n'));
    const fine = loadCifarFolder(dir);
    expect([Array.from(fine.train.labels), fine.train.numClasses, fine.classNames![99]]).toEqual([[77, 99, 0], 100, 'class99']);
    const coarse = loadCifarFolder(dir, { labels: 'coarse' });
    expect([Array.from(coarse.train.labels), coarse.train.numClasses, coarse.classNames![19], Array.from(coarse.test.labels)]).toEqual([[4, 19, 0], 20, 'super19', [2]]);
  });

  it('a truncated file, a label outside the classes, and a folder of neither format are errors naming the file', () => {
    const dir = cifar10(path.join(tmp, 'truncated'));
    const file = path.join(dir, 'data_batch_3.bin');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 3073 + 100));
    expect(() => loadCifarFolder(dir)).toThrow(new CifarFormatError(file,
      '3173 bytes is not a whole number of CIFAR-10 records (3073 bytes each: 1 label byte(s) and 3072 pixels); truncated, or the other CIFAR?'));
    const bad = cifar10(path.join(tmp, 'label'));
    fs.writeFileSync(path.join(bad, 'test_batch.bin'), records([[3], [12]]));
    expect(() => loadCifarFolder(bad)).toThrow(/test_batch\.bin: record 1 has label 12, not one of the 10 classes/);
    // CIFAR-100 records (3074 bytes) named as CIFAR-10 batches.
    const other = cifar10(path.join(tmp, 'other'));
    fs.writeFileSync(path.join(other, 'data_batch_1.bin'), records([[1, 2], [3, 4], [5, 6]]));
    expect(() => loadCifarFolder(other)).toThrow(/data_batch_1\.bin: 9222 bytes is not a whole number of CIFAR-10 records/);
    expect(() => loadCifarFolder(tmp)).toThrow(CifarFormatError);
    expect(() => loadCifarFolder(tmp)).toThrow(/not a CIFAR binary folder/);
  });
});
