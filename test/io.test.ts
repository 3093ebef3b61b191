// Files: safetensors (round trip, PyTorch-style dtypes, corrupted input),
// IDX (plain, gzip, truncated, wrong magic, count mismatch), models saved and
// loaded with identical outputs, atomic writes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdx, readIdx } from '../lib/data/idx';
import { loadMnistFolder, embeddedMnistDir } from '../lib/data/mnist';
import { writeFileAtomic } from '../lib/io/atomic';
import { decodeImage, ImageFormatError } from '../lib/data/image';
import { loadModel, loadWeights, saveModel, saveWeights } from '../lib/io/model-file';
import { decodeSafetensors, encodeSafetensors } from '../lib/io/safetensors';
import * as models from '../lib/models';
import { lenet, smallResNet } from '../lib/models';
import { specElements } from '../lib/nn/registry';
import { Linear } from '../lib/nn/layers';
import { Sequential } from '../lib/nn/sequential';
import { manualSeed } from '../lib/tensor/random';
import { Tensor } from '../lib/tensor/tensor';
import { predict } from '../lib/inference/predict';
import { trainStep } from '../lib/train/step';
import { readCheckpoint } from '../lib/train/checkpoint';
import { SGD } from '../lib/optim/sgd';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-io-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An IDX file built by hand from the format's definition. */
function idxBytes(type: number, dims: number[], payload: number[]): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...payload]);
}

describe('safetensors', () => {
  it('round-trips tensors and metadata, with 8-byte-aligned data', () => {
    const bytes = encodeSafetensors({ a: { shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 4]) }, b: { shape: [], data: Float32Array.from([7]) } }, { k: 'v' });
    expect((8 + Number(Buffer.from(bytes).readBigUInt64LE(0))) % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(Array.from(tensors['a']!.data)).toEqual([1, -2, 3.5, 4]);
    expect(tensors['a']!.shape).toEqual([2, 2]);
    expect(tensors['b']!.shape).toEqual([]);
    expect(metadata).toEqual({ k: 'v' });
  });

  it('reads the F16, BF16 and F64 tensors PyTorch may write', () => {
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      bf: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
      d: { dtype: 'F64', shape: [1], data_offsets: [6, 14] },
    });
    const data = Buffer.alloc(14);
    data.writeUInt16LE(0x3c00, 0); // 1.0 in half precision
    data.writeUInt16LE(0xc000, 2); // -2.0
    data.writeUInt16LE(0x4049, 4); // bfloat16 of 3.140625
    data.writeDoubleLE(0.1, 6);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const { tensors } = decodeSafetensors(Buffer.concat([len, Buffer.from(header), data]));
    expect(Array.from(tensors['h']!.data)).toEqual([1, -2]);
    expect(tensors['bf']!.data[0]).toBe(3.140625);
    expect(tensors['d']!.data[0]).toBeCloseTo(0.1, 7);
  });

  it('rejects corrupted files with a clear error', () => {
    const good = encodeSafetensors({ w: { shape: [3], data: Float32Array.from([1, 2, 3]) } });
    const hugeHeader = Buffer.from(good);
    hugeHeader.writeBigUInt64LE(10n ** 12n, 0);
    expect(() => decodeSafetensors(hugeHeader, 'x.safetensors')).toThrow(/x\.safetensors: corrupted header: it claims 1000000000000 bytes/);
    const garbled = Buffer.from(good);
    garbled[9] = 0x7b; // '{' inside the JSON
    garbled[10] = 0x7b;
    expect(() => decodeSafetensors(garbled, 'x.safetensors')).toThrow(/corrupted header: not valid JSON/);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4), 'x.safetensors')).toThrow(/'w' has data offsets \[0,12\] outside the 8-byte data section/);
    expect(() => decodeSafetensors(good.subarray(0, 5), 'x.safetensors')).toThrow(/truncated: 5 bytes/);
  });
});

describe('IDX files', () => {
  it('parses a hand-built file, plain and gzipped', () => {
    const bytes = idxBytes(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    const parsed = parseIdx(bytes, 'mem');
    expect(parsed.dims).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    const file = path.join(tmp, 'x-idx3-ubyte.gz');
    fs.writeFileSync(file, zlib.gzipSync(bytes));
    expect(Array.from(readIdx(file).data)).toEqual(Array.from(parsed.data));
  });

  it('reads the embedded MNIST: 60000/10000 images of 28x28 with matching labels', () => {
    const d = loadMnistFolder(embeddedMnistDir());
    expect([d.train.length, d.test.length]).toEqual([60000, 10000]);
    expect(d.train.imageShape).toEqual([1, 28, 28]);
    expect(Array.from(d.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]); // LeCun's first training labels
  });

  it('rejects a wrong magic number, truncation and a label/image count mismatch', () => {
    expect(() => parseIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 1, 9]), 'a.idx')).toThrow('a.idx: not an IDX file: magic number 50 4b 03 04, expected 00 00 <type 08..0e> <rank >= 1>');
    expect(() => parseIdx(idxBytes(0x08, [10, 28, 28], [1, 2, 3]), 'b.idx')).toThrow('b.idx: truncated: dimensions [10, 28, 28] of uint8 need 7856 bytes, the file has 19');
    const dir = path.join(tmp, 'mismatch');
    fs.mkdirSync(dir);
    for (const split of ['train', 't10k']) {
      fs.writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), idxBytes(0x08, [3, 2, 2], new Array(12).fill(7)));
      fs.writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), idxBytes(0x08, [2], [1, 2]));
    }
    expect(() => loadMnistFolder(dir)).toThrow(/train-labels-idx1-ubyte: 2 labels but train-images-idx3-ubyte has 3 images/);
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), zlib.gzipSync(idxBytes(0x08, [3, 2, 2], new Array(12).fill(7))).subarray(0, 20));
    expect(() => loadMnistFolder(dir)).toThrow(/corrupt or truncated gzip data/);
    expect(() => loadMnistFolder(path.join(tmp, 'nowhere'))).toThrow(/no such folder/);
  });
});

describe('saving and loading models', () => {
  it('a loaded model predicts exactly what the saved one did (ResNet with batch-norm buffers, after training)', () => {
    manualSeed(3);
    const model = smallResNet();
    const x = new Tensor(Float32Array.from({ length: 4 * 784 }, (_, i) => Math.cos(i / 7)), [4, 1, 28, 28]);
    trainStep({ model, optimizer: new SGD(model.parameters(), { lr: 0.1 }) }, x, new Int32Array([1, 2, 3, 4]));
    const file = path.join(tmp, 'resnet.safetensors');
    saveModel(model, file, { inputShape: [1, 28, 28], mean: 0.5, std: 0.5, classNames: ['a'] });
    const { model: loaded, info } = loadModel(file);
    expect(info.classNames).toEqual(['a']);
    expect(Buffer.from(predict(loaded, x).data.buffer).equals(Buffer.from(predict(model, x).data.buffer))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'resnet.json'), 'utf8')).spec.type).toBe('Sequential');
  });

  it('weights-only files load into a model built in code; a shape mismatch is a clear error', () => {
    const model = lenet();
    const file = path.join(tmp, 'lenet-weights.safetensors');
    saveWeights(model, file);
    const other = lenet();
    expect(loadWeights(other, file)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(other.parameters()[0]!.data).toEqual(model.parameters()[0]!.data);
    const wrong = new Sequential(new Linear(4, 6));
    expect(() => loadWeights(wrong, file)).toThrow(/missing keys: 0\.weight|unexpected keys/);
    const sameNames = new Sequential(new Linear(25, 6));
    expect(() => loadWeights(sameNames, file, { strict: false })).toThrow("loadStateDict: '0.weight' has shape [6, 1, 5, 5] in the state but [6, 25] in the model");
    expect(() => loadModel(file)).toThrow(/no convnode architecture in the metadata/);
    expect(() => loadModel(path.join(tmp, 'missing.safetensors'))).toThrow(/no such file/);
  });
});

describe('atomic writes', () => {
  it('a failed write leaves the previous file intact and no temporary file behind', () => {
    const file = path.join(tmp, 'ckpt.bin');
    writeFileAtomic(file, 'good');
    expect(() => writeFileAtomic(file, 42 as unknown as string)).toThrow(TypeError);
    expect(fs.readFileSync(file, 'utf8')).toBe('good');
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a process killed in the middle of a write leaves the previous file intact', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'crash-'));
    const file = path.join(dir, 'ckpt.bin');
    writeFileAtomic(file, 'good');
    const dist = path.resolve(__dirname, '..', 'dist', 'index.js');
    const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(dist)}).writeFileAtomic(${JSON.stringify(file)}, Buffer.alloc(800 * 1024 * 1024, 1))`]);
    // Kill it as soon as its temporary file exists, i.e. during the write.
    const started = Date.now();
    while (!fs.readdirSync(dir).some((f) => f.endsWith('.tmp')) && Date.now() - started < 20000) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    expect(signal).toBe('SIGKILL');
    expect(code).toBeNull();
    expect(fs.readFileSync(file, 'utf8')).toBe('good');
    // Its temporary is left behind; the next successful write of the same target removes it,
    // but keeps a temporary of a live writer (this process) and those of other files.
    const stale = fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    expect(stale).toHaveLength(1);
    const live = `.ckpt.bin.${process.pid}.1.tmp`, other = `.other.bin.${child.pid}.1.tmp`;
    fs.writeFileSync(path.join(dir, live), 'x');
    fs.writeFileSync(path.join(dir, other), 'x');
    writeFileAtomic(file, 'better');
    expect(fs.readFileSync(file, 'utf8')).toBe('better');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).sort()).toEqual([live, other].sort());
  }, 60000);
});

describe('images declaring a huge size', () => {
  it('are refused from their header, before any decoding, naming the file, the size and the option', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'huge-'));
    // A PNG signature and an IHDR declaring 30000 x 30000, then nothing worth decoding.
    const png = Buffer.alloc(68);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(png);
    png.writeUInt32BE(30000, 16);
    png.writeUInt32BE(30000, 20);
    const pngFile = path.join(dir, 'huge.png');
    fs.writeFileSync(pngFile, png);
    // A JPEG: SOI, an APP0 segment, then SOF0 declaring 20000 x 10000.
    const jpg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x27, 0x10, 0x4e, 0x20, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const jpgFile = path.join(dir, 'huge.jpg');
    fs.writeFileSync(jpgFile, jpg);
    const t0 = Date.now();
    expect(() => decodeImage(pngFile)).toThrow(new ImageFormatError(pngFile,
      'the image declares 30000x30000 = 900000000 pixels, more than limitInputPixels (16777216); pass a larger limitInputPixels to decode it'));
    expect(() => decodeImage(pngFile)).toThrow(RangeError);
    expect(() => decodeImage(jpgFile)).toThrow(/huge\.jpg: the image declares 20000x10000 = 200000000 pixels, more than limitInputPixels/);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(() => decodeImage(jpgFile, { limitInputPixels: 0 })).toThrow('decodeImage: limitInputPixels must be a positive integer, got 0');
    expect(() => decodeImage(jpgFile, { limit: 5 } as never)).toThrow("decodeImage: unknown option 'limit' (valid: limitInputPixels)");
  });
});

describe('a model file whose architecture does not match its weights', () => {
  it('is refused before the model is built, and the size check agrees with every model zoo entry', () => {
    for (const [name, m] of Object.entries({ lenet: lenet(), smallVgg: models.smallVgg(), smallResNet: models.smallResNet() })) {
      const total = Object.values(m.stateDict()).reduce((n, t) => n + t.size, 0);
      expect(specElements(m.spec()), name).toBe(total);
    }
    const file = path.join(tmp, 'liar.safetensors');
    const spec = { type: 'Sequential', children: [{ type: 'Linear', args: { inFeatures: 15000, outFeatures: 15000, bias: true } }] };
    const description = { format: 'convnode-model', version: 1, spec, info: { inputShape: [1, 1, 1], mean: 0, std: 1 } };
    fs.writeFileSync(file, encodeSafetensors({ '0.weight': { shape: [1], data: new Float32Array(1) } }, { convnode: JSON.stringify(description) }));
    const before = process.memoryUsage().rss;
    expect(() => loadModel(file)).toThrow(`${file}: its architecture holds 225015000 values but the file has 1: the architecture and the weights do not match`);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    const badChildren = { ...description, spec: { type: 'Sequential', children: 'nope' } };
    fs.writeFileSync(file, encodeSafetensors({}, { convnode: JSON.stringify(badChildren) }));
    expect(() => loadModel(file)).toThrow(new TypeError(`${file}: moduleFromSpec: 'Sequential'.children must be an Array of specs, got "nope"`));
  });
});

describe('loaders name the file and what is wrong, with typed errors', () => {
  it('a checkpoint without step counts, a model file without info, a folder as an IDX file', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'typed-'));
    const model = lenet();
    const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const ck = path.join(dir, 'ck.safetensors');
    const meta = {
      format: 'convnode-checkpoint', version: 1, globalRngState: 1, schedulerEpoch: null, spec: model.spec(),
      state: { epoch: 0, batchesDone: 0, dataRngState: 1, lossSum: 0, correct: 0, seen: 0, elapsedMs: 0, history: [] },
      optimizer: { type: 'SGD', groups: [{ lr: 0.1 }] },
    };
    fs.writeFileSync(ck, encodeSafetensors({}, { convnode: JSON.stringify(meta) }));
    const before = Array.from(model.parameters()[0]!.data);
    expect(() => readCheckpoint(ck, { model, optimizer })).toThrow(new TypeError(`${ck}: loadStateDict: state.steps must be an Array of step counts (whole numbers >= 0), got undefined`));
    expect(Array.from(model.parameters()[0]!.data)).toEqual(before);
    const mf = path.join(dir, 'm.safetensors');
    fs.writeFileSync(mf, encodeSafetensors({}, { convnode: JSON.stringify({ format: 'convnode-model', version: 1, spec: model.spec() }) }));
    expect(() => loadModel(mf)).toThrow(TypeError);
    expect(() => loadModel(mf)).toThrow(/m\.safetensors: the model file's info must give inputShape/);
    expect(() => readIdx(dir)).toThrow(`${dir}: not a file (a folder?); pass the IDX file itself`);
    expect(() => readIdx(dir)).toThrow(RangeError);
  });
});
