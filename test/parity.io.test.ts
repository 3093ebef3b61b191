// PyTorch <-> convnode through safetensors files, for a conv-BN-residual
// block (values and files from scripts/pytorch-parity.py, PyTorch 1.13):
// PyTorch's I64 num_batches_tracked loads; training passes update the
// running statistics and the counter as PyTorch does; the evaluation output
// matches; PyTorch's file read and written back by convnode is identical,
// dtypes included (the script's --verify mode loads convnode's file into
// PyTorch); BatchNorm with momentum null averages over all batches.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../lib/backend';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../lib/io/safetensors';
import { loadWeights, saveWeights } from '../lib/io/model-file';
import { BatchNorm2d } from '../lib/nn/layers';
import { ResidualBlock } from '../lib/nn/residual';
import { Tensor } from '../lib/tensor/tensor';
import { BACKENDS, expectCloseRel } from './helpers';
import { f32, parity } from './parity.helpers';

interface BatchNormRef {
  x1: number[]; x2: number[]; x3: number[]; y1: number[]; g1: number[]; dx1: number[]; y3: number[];
  final: Record<string, number[]>;
  cumulative: { xs: number[][]; runningMean: number[]; runningVar: number[]; numBatchesTracked: number };
}
const ref = parity<BatchNormRef>('batchnorm');
const fixture = (name: string) => path.join(__dirname, 'fixtures', 'parity', name);

describe.each(BACKENDS)('a conv-BN-residual block between PyTorch and convnode ($name backend)', (b) => {
  it("loads PyTorch's file, trains two batches and evaluates as PyTorch does, counting the batches", () => {
    useBackend(b.name);
    try {
      const block = new ResidualBlock(2, 4, 2);
      expect(loadWeights(block, fixture('residual-initial.safetensors'))).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(block.stateDict()['body.1.num_batches_tracked']!.data[0]).toBe(5);
      block.train();
      const x1 = new Tensor(f32(ref.x1), [3, 2, 8, 8], { requiresGrad: true });
      const y1 = block.forward(x1);
      expectCloseRel(y1.data, f32(ref.y1), 2e-5, 'y1 (training)');
      y1.backward(new Tensor(f32(ref.g1), y1.shape));
      expectCloseRel(x1.grad!.data, f32(ref.dx1), 2e-5, 'dx1');
      block.forward(new Tensor(f32(ref.x2), [3, 2, 8, 8]));
      block.eval();
      expectCloseRel(block.forward(new Tensor(f32(ref.x3), [2, 2, 8, 8])).data, f32(ref.y3), 2e-5, 'y3 (evaluation)');
      for (const [k, t] of Object.entries(block.stateDict())) expectCloseRel(t.data, f32(ref.final[k]!), 2e-6, k);
      expect(block.stateDict()['shortcut.1.num_batches_tracked']!.data[0]).toBe(7);
    } finally {
      useBackend(BACKENDS[0]!.name);
    }
  });
});

describe('safetensors round trips with PyTorch', () => {
  it("PyTorch's file, loaded and saved by convnode, is the same tensors with the same dtypes (I64 counters)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-rt-'));
    try {
      const block = new ResidualBlock(2, 4, 2);
      loadWeights(block, fixture('residual-final.safetensors'));
      const out = path.join(dir, 'from-convnode.safetensors');
      saveWeights(block, out);
      const theirs = decodeSafetensors(fs.readFileSync(fixture('residual-final.safetensors'))).tensors;
      const ours = decodeSafetensors(fs.readFileSync(out)).tensors;
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      for (const [k, t] of Object.entries(theirs)) {
        expect(ours[k]!.dtype, k).toBe(t.dtype);
        expect(ours[k]!.shape, k).toEqual(t.shape);
        expect(Array.from(ours[k]!.data), k).toEqual(Array.from(t.data));
      }
      expect(theirs['body.4.num_batches_tracked']).toMatchObject({ dtype: 'I64', shape: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads every integer dtype exactly, refuses one float32 cannot hold, and tolerates a file without the counters', () => {
    const file = (dtype: string, bytes: number[], shape: number[]) => {
      const header = Buffer.from(JSON.stringify({ t: { dtype, shape, data_offsets: [0, bytes.length] } }));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(header.length));
      return Buffer.concat([len, header, Buffer.from(bytes)]);
    };
    expect(Array.from(decodeSafetensors(file('I32', [255, 255, 255, 255, 7, 0, 0, 0], [2])).tensors['t']!.data)).toEqual([-1, 7]);
    expect(Array.from(decodeSafetensors(file('U8', [0, 200], [2])).tensors['t']!.data)).toEqual([0, 200]);
    expect(Array.from(decodeSafetensors(file('BOOL', [0, 1], [2])).tensors['t']!.data)).toEqual([0, 1]);
    expect(() => decodeSafetensors(file('I64', [1, 0, 0, 1, 0, 0, 0, 0], [1]), 'big.safetensors'))
      .toThrow(new SafetensorsError('big.safetensors', "'t' holds the I64 value 16777217, which float32 cannot hold exactly (|v| <= 2^24)"));
    // A model saved before BatchNorm counted its batches still loads strictly.
    const bn = new BatchNorm2d(2);
    const old = Object.fromEntries(Object.entries(bn.stateDict()).filter(([k]) => k !== 'num_batches_tracked'));
    expect(bn.loadStateDict(old)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(() => encodeSafetensors({ n: { shape: [1], data: f32([1.5]), dtype: 'I64' } })).toThrow(/not whole numbers/);
    expect(() => bn.loadStateDict(old, { stict: false } as never)).toThrow("loadStateDict: unknown option 'stict' (valid: strict)");
  });

  it('BatchNorm2d with momentum null keeps a cumulative average over the batches, as PyTorch', () => {
    const bn = new BatchNorm2d(3, 1e-5, null);
    for (const x of ref.cumulative.xs) bn.forward(new Tensor(f32(x), [4, 3, 5, 5]));
    expectCloseRel(bn.runningMean.data, f32(ref.cumulative.runningMean), 2e-6, 'running mean');
    expectCloseRel(bn.runningVar.data, f32(ref.cumulative.runningVar), 2e-6, 'running var');
    expect(bn.numBatchesTracked.data[0]).toBe(ref.cumulative.numBatchesTracked);
  });
});
