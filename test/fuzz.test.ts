// Fuzzing every loader and the kernels (issue 19): mutated safetensors
// bytes, model files, checkpoints, IDX (plain and gzip), PNG and JPEG files,
// and garbage kernel arguments. For every case:
// - it returns, or throws a TypeError or RangeError (a subclass counts)
//   whose message names the file (loaders): never another error, never a crash;
// - its work is bounded: under WORK_BOUND_MS of wall time;
// - its memory is bounded: the resident set grows by less than MEMORY_BOUND.
// (The bounds are generous on purpose: a case breaking them is a bug of
// kind, not of degree, like the 68-byte PNG that once took 31 s and 5 GB.)
//
// Each target runs for CONVNODE_FUZZ_SECONDS (default 1.5: about ten
// seconds in all, for CI); CONVNODE_FUZZ_SECONDS=120 is a long run. The
// mutations come from fast-check, seeded by CONVNODE_FUZZ_SEED (default
// 19), so a failure prints the seed and path that reproduce it. A summary
// per target is printed: cases, seconds, errors by type, slowest case,
// largest growth of the resident set.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { KERNEL_NAMES, type Backend } from '../lib/backend/types';
import { readIdx } from '../lib/data/idx';
import { decodeImage } from '../lib/data/image';
import { loadModel, saveModel, stateTensors } from '../lib/io/model-file';
import { decodeSafetensors, encodeSafetensors } from '../lib/io/safetensors';
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU } from '../lib/nn/layers';
import { Sequential } from '../lib/nn/sequential';
import { SGD } from '../lib/optim/sgd';
import { manualSeed } from '../lib/tensor/random';
import { readCheckpoint, writeCheckpoint } from '../lib/train/checkpoint';
import type { TrainSetup } from '../lib/train/setup';
import { trainStep } from '../lib/train/step';
import { Tensor } from '../lib/tensor/tensor';
import { randInt, rng } from './helpers';
import { js, native } from './native-helpers';

const SECONDS = Number(process.env['CONVNODE_FUZZ_SECONDS'] ?? 1.5);
const SEED = Number(process.env['CONVNODE_FUZZ_SEED'] ?? 19);
const WORK_BOUND_MS = 5000;
const MEMORY_BOUND = 512 * 2 ** 20;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-fuzz-'));
const summaries: string[] = [];
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  summaries.push(`peak resident set of the whole test process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`fuzz (${SECONDS} s per target, seed ${SEED}):\n  ${summaries.join('\n  ')}`);
});

/** Runs cases until the time budget is spent; checks and counts each outcome. */
class Target {
  cases = 0;
  private errors = new Map<string, number>();
  private slowestMs = 0;
  private largestGrowth = 0;
  private readonly start = performance.now();

  constructor(readonly name: string) {}

  /** One case: `run` may return or throw a typed error naming `names` (when given). */
  check(run: () => unknown, names?: string): void {
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    let error: unknown = null;
    try {
      run();
    } catch (err) {
      error = err;
    }
    const ms = performance.now() - t0, growth = process.memoryUsage().rss - rss0;
    this.cases++;
    this.slowestMs = Math.max(this.slowestMs, ms);
    this.largestGrowth = Math.max(this.largestGrowth, growth);
    if (error !== null) {
      if (!(error instanceof TypeError || error instanceof RangeError)) throw new Error(`${this.name}: not a TypeError/RangeError: ${String(error)}`);
      if (names !== undefined && !error.message.includes(names)) throw new Error(`${this.name}: the message does not name ${names}: ${error.message}`);
      this.errors.set(error.name, (this.errors.get(error.name) ?? 0) + 1);
    }
    if (ms > WORK_BOUND_MS) throw new Error(`${this.name}: one case took ${ms.toFixed(0)} ms (bound ${WORK_BOUND_MS} ms)`);
    if (growth > MEMORY_BOUND) throw new Error(`${this.name}: one case grew the resident set by ${(growth / 2 ** 20).toFixed(0)} MiB`);
  }

  report(): void {
    const errors = [...this.errors].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    summaries.push(`${this.name}: ${this.cases} cases in ${((performance.now() - this.start) / 1000).toFixed(1)} s; errors: ${errors}; ` +
      `slowest case ${this.slowestMs.toFixed(1)} ms; largest resident-set growth ${(this.largestGrowth / 2 ** 20).toFixed(1)} MiB`);
  }
}

// Byte-level mutations: flips, truncation, inserted junk, 32-bit fields set
// to extreme values (sizes, lengths, offsets), copied regions.
const EXTREME_INTS = [0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 24 + 1, 30000];
type ByteEdit =
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'int32'; at: number; value: number; littleEndian: boolean }
  | { kind: 'copy'; from: number; to: number; length: number };
const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('int32' as const), at: fc.nat(), value: fc.constantFrom(...EXTREME_INTS), littleEndian: fc.boolean() }),
  fc.record({ kind: fc.constant('copy' as const), from: fc.nat(), to: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);
const byteEdits = fc.array(byteEdit, { minLength: 1, maxLength: 4 });

function applyBytes(seed: Uint8Array, edits: ByteEdit[]): Uint8Array {
  let b = Uint8Array.from(seed);
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.kind === 'copy' ? 0 : e.at % b.length;
    switch (e.kind) {
      case 'byte': if (b.length > 0) b[at] = e.value; break;
      case 'truncate': b = b.slice(0, at); break;
      case 'insert': b = Uint8Array.from([...b.subarray(0, at), ...e.bytes, ...b.subarray(at)]); break;
      case 'int32': if (b.length >= 4) new DataView(b.buffer).setUint32(Math.min(at, b.length - 4), e.value, e.littleEndian); break;
      case 'copy': if (b.length > 0) b.copyWithin(e.to % b.length, e.from % b.length, (e.from % b.length) + e.length); break;
    }
  }
  return b;
}

// Structure-aware mutations of a safetensors file: a value anywhere in its
// JSON header, or in the convnode metadata (a JSON string inside it), set to
// an extreme or odd value, or removed. The data section is kept.
const ODD_JSON = fc.oneof(
  fc.constantFrom<unknown>(null, -1, 0, 1, 0.5, 2 ** 31, 2 ** 53, 1e308, -1e308, '', 'F32', 'I64', 'BOOL', 'x', [], {}, true,
    [1e9, 1e9], [0, 2 ** 40], [30000, 30000], [-1, 4], { format: 'convnode-model' }, { type: 'Linear', args: [15000, 15000] }),
  fc.jsonValue({ maxDepth: 2 }),
);
type JsonEdit = { pick: number; value: unknown; remove: boolean };
const jsonEdits = fc.array(fc.record({ pick: fc.nat(), value: ODD_JSON, remove: fc.boolean() }), { minLength: 1, maxLength: 3 });

function slots(node: unknown, out: Array<[Record<string, unknown>, string]> = []): Array<[Record<string, unknown>, string]> {
  if (typeof node === 'object' && node !== null) {
    for (const key of Object.keys(node)) {
      out.push([node as Record<string, unknown>, key]);
      slots((node as Record<string, unknown>)[key], out);
    }
  }
  return out;
}

function applyJson(seed: Uint8Array, edits: JsonEdit[]): Uint8Array {
  const view = new DataView(seed.buffer, seed.byteOffset, seed.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(seed.subarray(8, 8 + length)).toString('utf8')) as Record<string, unknown>;
  const meta = header['__metadata__'] as Record<string, string> | undefined;
  const root: Record<string, unknown> = { header, convnode: meta?.['convnode'] !== undefined ? JSON.parse(meta['convnode']) : null };
  for (const e of edits) {
    const all = slots(root);
    if (all.length === 0) break;
    const [parent, key] = all[e.pick % all.length]!;
    if (e.remove) delete parent[key];
    else parent[key] = structuredClone(e.value); // a copy: the same value twice would make a cycle
  }
  const h = root['header'];
  const m = typeof h === 'object' && h !== null ? (h as Record<string, unknown>)['__metadata__'] : undefined;
  if (typeof m === 'object' && m !== null && root['convnode'] !== null) (m as Record<string, unknown>)['convnode'] = JSON.stringify(root['convnode']);
  const text = Buffer.from(JSON.stringify(h ?? null), 'utf8');
  const out = new Uint8Array(8 + text.length + seed.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(seed.subarray(8 + length), 8 + text.length);
  return out;
}

const safetensorsEdits = fc.oneof(
  byteEdits.map((edits) => (seed: Uint8Array) => applyBytes(seed, edits)),
  jsonEdits.map((edits) => (seed: Uint8Array) => applyJson(seed, edits)),
);

/** Runs the property over mutations of the seeds until the time budget is spent. */
function fuzz<T>(target: Target, mutation: fc.Arbitrary<T>, seeds: Uint8Array[], body: (bytes: Uint8Array, edit: T, seed: Uint8Array) => void,
  apply: (seed: Uint8Array, edit: T) => Uint8Array): void {
  fc.assert(fc.property(fc.nat({ max: seeds.length - 1 }), mutation, (which, edit) => {
    const seed = seeds[which]!;
    body(apply(seed, edit), edit, seed);
  }), { seed: SEED, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: SECONDS * 1000 });
  target.report();
  expect(target.cases).toBeGreaterThan(0);
}

/** A small model with every kind of state: conv, BatchNorm (an I64 counter), linear. */
function smallModel(): Sequential {
  return new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 3));
}

function smallSetup(): TrainSetup {
  const model = smallModel();
  return { model, optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) };
}

const writeTmp = (name: string, bytes: Uint8Array) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
};

describe('fuzzing the loaders with mutated files', () => {
  manualSeed(3);
  const setup = smallSetup();
  trainStep(setup, new Tensor(new Float32Array(2 * 64).map((_, i) => Math.sin(i)), [2, 1, 8, 8]), Int32Array.from([0, 2]));
  const modelFile = path.join(tmp, 'seed-model.safetensors');
  saveModel(setup.model, modelFile, { inputShape: [1, 8, 8], mean: 0.5, std: 0.5, classNames: ['a', 'b', 'c'] });
  const checkpointFile = path.join(tmp, 'seed.ckpt');
  writeCheckpoint(checkpointFile, setup, {
    epoch: 1, batchesDone: 2, dataRngState: 7, lossSum: 1.5, correct: 3, seen: 4, elapsedMs: 10,
    history: [{ epoch: 0, loss: 1, accuracy: 0.5, lr: 0.1, seconds: 1 }],
  });
  const plain = encodeSafetensors({ ...stateTensors(setup.model), mixed: { shape: [2, 2], data: Float32Array.from([1, -2, 3, 4]), dtype: 'I16' } });

  it('safetensors bytes: decodeSafetensors', () => {
    const t = new Target('safetensors bytes');
    fuzz(t, safetensorsEdits, [plain, fs.readFileSync(modelFile)], (bytes) => t.check(() => decodeSafetensors(bytes, 'fuzz.safetensors'), 'fuzz.safetensors'),
      (seed, f) => f(seed));
  }, 60000 + SECONDS * 2000);

  it('model files: loadModel', () => {
    const t = new Target('model files');
    fuzz(t, safetensorsEdits, [fs.readFileSync(modelFile)], (bytes) => {
      const file = writeTmp('model.safetensors', bytes);
      t.check(() => loadModel(file), file);
    }, (seed, f) => f(seed));
  }, 60000 + SECONDS * 2000);

  it('checkpoints: readCheckpoint into a fresh setup', () => {
    const t = new Target('checkpoints');
    fuzz(t, safetensorsEdits, [fs.readFileSync(checkpointFile)], (bytes) => {
      const file = writeTmp('run.ckpt', bytes);
      t.check(() => readCheckpoint(file, smallSetup()), file);
    }, (seed, f) => f(seed));
  }, 60000 + SECONDS * 2000);

  it('IDX files, plain and gzip: readIdx', () => {
    const idx = (type: number, dims: number[], data: Uint8Array) => {
      const head = Buffer.alloc(4 + 4 * dims.length);
      head[2] = type;
      head[3] = dims.length;
      dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
      return new Uint8Array(Buffer.concat([head, data]));
    };
    const images = idx(0x08, [3, 28, 28], Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256));
    const floats = idx(0x0d, [2, 3], new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer).reverse());
    const seeds = [images, idx(0x08, [3], Uint8Array.from([1, 7, 9])), floats, new Uint8Array(zlib.gzipSync(images))];
    const t = new Target('IDX files');
    fuzz(t, byteEdits, seeds, (bytes) => {
      const file = writeTmp('data-idx3-ubyte', bytes);
      t.check(() => readIdx(file), file);
    }, applyBytes);
  }, 60000 + SECONDS * 2000);

  it('PNG and JPEG files: decodeImage', () => {
    const png = (colorType: 0 | 2 | 6, size: number) => {
      const p = new PNG({ width: size, height: size, colorType, inputColorType: 6 });
      for (let i = 0; i < p.data.length; i++) p.data[i] = (i * 37) % 256;
      return new Uint8Array(PNG.sync.write(p, { colorType }));
    };
    const rgba = Buffer.alloc(16 * 16 * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 11) % 256;
    const jpg = new Uint8Array(jpeg.encode({ data: rgba, width: 16, height: 16 }, 80).data);
    const t = new Target('PNG and JPEG files');
    fuzz(t, byteEdits, [png(6, 8), png(0, 12), png(2, 5), jpg], (bytes) => {
      const file = writeTmp('image.png', bytes);
      t.check(() => decodeImage(file), file);
    }, applyBytes);
  }, 60000 + SECONDS * 2000);
});

/** Garbage of every kind, weighted towards almost-valid values. */
function garbage(rand: () => number, depth = 0): unknown {
  switch (randInt(rand, 0, 13)) {
    case 0: return undefined;
    case 1: return null;
    case 2: return [-1, 0, 1, 2, 3, 1.5, NaN, Infinity, 2 ** 31, 2 ** 53][randInt(rand, 0, 9)];
    case 3: return ['max', 'relu', 'avg', '', 'x'][randInt(rand, 0, 4)];
    case 4: return new Float32Array(randInt(rand, 0, 30));
    case 5: return new Float64Array(randInt(rand, 0, 4));
    case 6: return new Int32Array(randInt(rand, 0, 4)).fill(randInt(rand, -1, 3));
    case 7: {
      const a = new Float32Array(randInt(rand, 1, 4));
      structuredClone(a.buffer, { transfer: [a.buffer] });
      return a;
    }
    case 8: return true;
    case 9: return [1, 2];
    case 10: return () => 1;
    default: {
      if (depth > 0) return {};
      const o: Record<string, unknown> = {};
      const keys = ['m', 'n', 'k', 'c', 'h', 'w', 'kh', 'kw', 'rows', 'cols', 'hw', 'mode', 'kind', 'lr', 'step', 'momentum', 'groups', 'strideH', 'padW', 'transA'];
      for (const key of keys) {
        if (rand() < 0.7) o[key] = rand() < 0.7 ? randInt(rand, 1, 3) : garbage(rand, depth + 1);
      }
      return o;
    }
  }
}

/** 'ok' or the error's class and message, and the error itself. */
function outcome(b: Backend, name: string, args: unknown[]): { text: string; error: unknown } {
  try {
    (b[name as keyof Backend] as (...a: unknown[]) => unknown)(...args);
    return { text: 'ok', error: null };
  } catch (err) {
    const text = err instanceof TypeError || err instanceof RangeError ? `${err.constructor.name}: ${err.message}` : `UNEXPECTED ${String(err)}`;
    return { text, error: err };
  }
}

describe('fuzzing every kernel with garbage arguments', () => {
  it('never crashes, only throws TypeError/RangeError, and both backends agree', () => {
    const t = new Target('kernel arguments');
    const rand = rng(SEED);
    const until = performance.now() + SECONDS * 1000;
    let errors = 0;
    while (performance.now() < until || t.cases < KERNEL_NAMES.length * 50) {
      const name = KERNEL_NAMES[t.cases % KERNEL_NAMES.length]!;
      const args = Array.from({ length: randInt(rand, 0, 6) }, () => garbage(rand));
      // The kernels write their outputs: give each backend its own copies.
      const copy = () => args.map((a) => (a instanceof Float32Array && a.buffer.byteLength > 0 ? a.slice() : a));
      t.check(() => {
        const got = outcome(native, name, copy()), want = outcome(js, name, copy());
        expect(got.text, `${name}(${args.map((a) => Object.prototype.toString.call(a)).join(', ')})`).toBe(want.text);
        if (got.error !== null) {
          errors++;
          throw got.error; // counted by its class; anything but a TypeError/RangeError fails
        }
      });
    }
    t.report();
    expect(errors, 'almost all garbage is refused').toBeGreaterThan(t.cases * 0.9);
  }, 60000 + SECONDS * 2000);
});
