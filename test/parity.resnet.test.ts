// ResNets against PyTorch (values and files from scripts/pytorch-parity.py,
// PyTorch 1.13 with torchvision): resnet18's parameter and buffer names and
// shapes are torchvision's, so state dicts move both ways; two small ResNets
// (a CIFAR stem and an ImageNet stem, 1-2 blocks a stage) load PyTorch's
// weights and running statistics and reproduce its evaluation outputs, its
// training-mode logits and loss, and its gradients, on every backend.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../lib/backend';
import { crossEntropy } from '../lib/autograd/ops';
import { decodeSafetensors } from '../lib/io/safetensors';
import { loadWeights, saveWeights } from '../lib/io/model-file';
import { ResNet, resnet18, resnet20, type ResNetConfig } from '../lib/models/resnet';
import { Tensor } from '../lib/tensor/tensor';
import { BACKENDS, expectCloseRel } from './helpers';
import { f32, parity } from './parity.helpers';

interface Tiny extends ResNetConfig {
  input: number[]; weights: string; x: number[]; eval: number[]; train: number[]; labels: number[]; loss: number;
  grads: Record<string, number[]>;
}
const ref = parity<{ resnet18: Record<string, number[]>; tiny: Tiny[] }>('resnets');
const fixture = (name: string) => path.join(__dirname, 'fixtures', 'parity', name);
const configOf = (t: Tiny): ResNetConfig => ({ stem: t.stem, blocks: t.blocks, width: t.width, inChannels: t.inChannels, numClasses: t.numClasses });

describe('ResNet names and sizes', () => {
  it("resnet18's state dict has torchvision's names and shapes, and ResNet.floats counts it", () => {
    const sd = resnet18({ numClasses: 10 }).stateDict();
    const ours = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, [...t.shape]]));
    expect(ours).toEqual(ref.resnet18); // num_batches_tracked 0-d in both
    const total = Object.values(sd).reduce((n, t) => n + t.size, 0);
    expect(ResNet.floats(resnet18({ numClasses: 10 }).config)).toBe(total);
    expect(ResNet.floats(resnet20().config)).toBe(Object.values(resnet20().stateDict()).reduce((n, t) => n + t.size, 0));
  });

  it('resnet20 has the 0.27 M parameters of the paper', () => {
    const params = resnet20().parameters().reduce((n, p) => n + p.size, 0);
    expect(params).toBe(272474); // 3x3 stem, 3 x 3 blocks of 16/32/64 channels, 1x1 projections, fc 64 -> 10
  });

  it('a config that cannot work is a RangeError naming the field', () => {
    expect(() => new ResNet({ stem: 'cifar', blocks: [], width: 16, inChannels: 3, numClasses: 10 })).toThrow(/ResNet: blocks must be a non-empty array/);
    expect(() => new ResNet({ stem: 'cifar', blocks: [2], width: 0, inChannels: 3, numClasses: 10 })).toThrow(/ResNet: width must be a whole number >= 1, got 0/);
    expect(() => new ResNet({ stem: 'vgg' as never, blocks: [2], width: 4, inChannels: 3, numClasses: 10 })).toThrow(/stem must be 'imagenet' or 'cifar'/);
  });
});

describe.each(BACKENDS)('small ResNets from PyTorch weights ($name backend)', (b) => {
  for (const t of ref.tiny) {
    it(`${t.stem} stem, blocks [${t.blocks}]: evaluation, training logits, loss and gradients as PyTorch`, () => {
      useBackend(b.name);
      try {
        const model = new ResNet(configOf(t));
        expect(loadWeights(model, fixture(t.weights))).toEqual({ missingKeys: [], unexpectedKeys: [] });
        const x = new Tensor(f32(t.x), t.input);
        model.eval();
        expectCloseRel(model.forward(x).data, f32(t.eval), 2e-5, 'evaluation output');
        model.train();
        const logits = model.forward(x);
        expectCloseRel(logits.data, f32(t.train), 2e-5, 'training-mode logits');
        const loss = crossEntropy(logits, Int32Array.from(t.labels));
        expect(loss.item()).toBeCloseTo(t.loss, 5);
        loss.backward();
        const params = Object.fromEntries(model.namedParameters());
        for (const [name, want] of Object.entries(t.grads)) expectCloseRel(params[name]!.grad!.data, f32(want), 5e-5, `d loss / d ${name}`);
      } finally {
        useBackend(BACKENDS[0]!.name);
      }
    });
  }
});

describe('ResNet weights back to PyTorch', () => {
  it('convnode writes the same names, shapes and dtypes it read (I64 counters included)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-resnet-'));
    try {
      for (const t of ref.tiny) {
        const model = new ResNet(configOf(t));
        loadWeights(model, fixture(t.weights));
        const out = path.join(dir, t.weights);
        saveWeights(model, out);
        const theirs = decodeSafetensors(fs.readFileSync(fixture(t.weights))).tensors;
        const ours = decodeSafetensors(fs.readFileSync(out)).tensors;
        expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
        for (const [k, v] of Object.entries(theirs)) {
          expect([ours[k]!.dtype, ours[k]!.shape], k).toEqual([v.dtype, v.shape]);
          expect(ours[k]!.data, k).toEqual(v.data);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
