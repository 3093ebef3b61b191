// The convnode command, run as users run it (node dist/cli/main.js).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedMnistDir, loadMnistFolder } from '../lib/data/mnist';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function convnode(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: tmp, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Writes test image i of the embedded MNIST as a PNG (grayscale as RGB). */
function writeDigit(i: number, file: string, size = 28): number {
  const test = loadMnistFolder(embeddedMnistDir()).test;
  const png = new PNG({ width: size, height: size });
  for (let p = 0; p < size * size; p++) {
    const v = p < 784 ? Math.round((test.images[i * 784 + p]! * 0.5 + 0.5) * 255) : 0;
    png.data[4 * p] = png.data[4 * p + 1] = png.data[4 * p + 2] = v;
    png.data[4 * p + 3] = 255;
  }
  fs.writeFileSync(file, PNG.sync.write(png));
  return test.labels[i]!;
}

/** An MNIST-format folder: `train` and `test` hold one label per image (each image a gradient of 28x28 bytes). */
function mnistFolder(name: string, train: number[], test: number[]): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const idx = (dims: number[], data: Uint8Array) => {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head[2] = 0x08;
    head[3] = dims.length;
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([head, data]);
  };
  for (const [prefix, labels] of [['train', train], ['t10k', test]] as const) {
    const pixels = Uint8Array.from({ length: labels.length * 784 }, (_, i) => (i * 7) % 256);
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), idx([labels.length, 28, 28], pixels));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), idx([labels.length], Uint8Array.from(labels)));
  }
  return dir;
}

describe('convnode train / eval / predict', () => {
  it('trains LeNet on part of the embedded MNIST, saves it, evaluates and predicts with it', () => {
    const model = path.join(tmp, 'lenet.safetensors');
    const t = convnode('train', '--data', embeddedMnistDir(), '--limit', '6400', '--epochs', '1', '--save', model, '--curves', 'curves.svg', '--threads', '2');
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/convnode train: lenet on data \(6400 training, 10000 test images\), sgd lr 0.05 momentum 0.9, batch 64, 1 epoch\(s\), native backend/);
    const acc = Number(/test accuracy ([\d.]+)%/.exec(t.out)?.[1]);
    expect(acc).toBeGreaterThan(80);
    expect(fs.readFileSync(path.join(tmp, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*training loss[\s\S]*<\/svg>\n$/);

    const e = convnode('eval', '--model', model, '--data', embeddedMnistDir());
    expect(e.code, e.err).toBe(0);
    expect(e.out).toContain(`test accuracy ${acc.toFixed(2)}%`);

    const image = path.join(tmp, 'digit.png');
    const label = writeDigit(0, image);
    const p = convnode('predict', image, '--model', model);
    expect(p.code, p.err).toBe(0);
    const lines = p.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split('\t')[0]).toBe(String(label));
  }, 120000);

  it('bad input: unknown options and values, missing files; an image of another size is resized', () => {
    expect(convnode('train', '--model', 'alexnet').err).toMatch(/--model must be one of lenet, smallvgg, resnet, resnet20, resnet18, got 'alexnet'/);
    expect(convnode('train', '--epochs', '0').err).toMatch(/--epochs must be an integer >= 1, got '0'/);
    expect(convnode('train', '--bogus').code).toBe(2);
    expect(convnode('train', '--data', path.join(tmp, 'none')).err).toMatch(/no such folder/);
    expect(convnode('frobnicate').err).toMatch(/unknown command 'frobnicate'/);
    const missing = convnode('predict', 'nothing.png', '--model', 'nothing.safetensors');
    expect([missing.code, missing.err.trim()]).toEqual([1, 'convnode: nothing.safetensors: no such file']);
    const model = path.join(tmp, 'lenet.safetensors');
    const big = path.join(tmp, 'big.png');
    writeDigit(0, big, 32);
    // Another size is resized as training images are (shorter side, then the centre).
    const resized = convnode('predict', big, '--model', model);
    expect(resized.code, resized.err).toBe(0);
    expect(resized.out.trim().split('\n')).toHaveLength(3);
    fs.writeFileSync(path.join(tmp, 'text.png'), 'hello');
    expect(convnode('predict', path.join(tmp, 'text.png'), '--model', model).err).toMatch(/not a PNG or JPEG file/);
  });

  it('--version, and --help on every command, printing that command\'s usage', () => {
    const v = convnode('--version');
    expect([v.code, v.out.trim()]).toEqual([0, (require(path.resolve(__dirname, '..', 'package.json')) as { version: string }).version]);
    for (const command of ['train', 'eval', 'predict', 'viz', 'filter', 'info']) {
      const h = convnode(command, '--help');
      expect(h.code, command).toBe(0);
      expect(h.out, command).toMatch(new RegExp(`^usage: convnode ${command} \\[options\\]\\n\\n  ${command} `));
    }
  });

  it('a loss that becomes NaN or infinite stops training with a non-zero exit, and saves no model', () => {
    const save = path.join(tmp, 'nan.safetensors');
    const r = convnode('train', '--limit', '256', '--batch-size', '32', '--lr', '1e30', '--quiet', '--save', save);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/convnode: the loss became (NaN|Infinity) at epoch 1, batch \d+ of 8; training stopped .* No model was saved\./);
    expect(fs.existsSync(save)).toBe(false);
  });

  it('negative numbers are values: an out-of-range one is named, a filter kernel may hold them; an empty kernel is an error', () => {
    const lr = convnode('train', '--lr', '-0.1');
    expect([lr.code, lr.err.split('\n')[0]]).toEqual([2, "convnode: --lr must be a non-negative number, got '-0.1'"]);
    const image = path.join(tmp, 'edge.png');
    writeDigit(1, image);
    const out = path.join(tmp, 'edge-out.png');
    const f = convnode('filter', 'custom', image, '--kernel', '-1,0,1;-2,0,2;-1,0,1', '--out', out);
    expect(f.code, f.err).toBe(0);
    expect(PNG.sync.read(fs.readFileSync(out)).width).toBe(28);
    const empty = convnode('filter', 'custom', image, '--kernel', '');
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/--kernel must be a square matrix of numbers.*got ''/);
    expect(convnode('filter', 'custom', image, '--kernel', '1,,1;1,1,1;1,1,1').err).toMatch(/--kernel must be a square matrix/);
  });

  it('an empty training or test set, or labels the model cannot output, are errors before any training', () => {
    const emptyTrain = convnode('train', '--data', mnistFolder('empty-train', [], [1, 2]), '--quiet');
    expect([emptyTrain.code, emptyTrain.err.trim()]).toEqual([1, 'convnode: fit: the training set is empty (0 examples): there is nothing to train on']);
    const emptyTest = convnode('train', '--data', mnistFolder('empty-test', [1, 2, 3], []), '--quiet');
    expect(emptyTest.code).toBe(1);
    expect(emptyTest.err).toMatch(/^convnode: fit: validationData is empty \(0 examples\)/);
    expect(convnode('eval', '--model', path.join(tmp, 'lenet.safetensors'), '--data', path.join(tmp, 'empty-test')).err)
      .toMatch(/^convnode: evaluate: the dataset is empty/);
    const wide = convnode('train', '--data', mnistFolder('labels-12', [0, 12, 3], [1]), '--quiet');
    expect([wide.code, wide.err.trim()]).toEqual([1, `convnode: ${path.join(tmp, 'labels-12')}: the training labels go up to 12, but the lenet model has 10 outputs (classes 0 to 9)`]);
    const stray = convnode('train', '--data', mnistFolder('test-label-10', [0, 1, 9], [10, 2]), '--quiet');
    expect(stray.code).toBe(1);
    expect(stray.err).toMatch(/t10k-labels-idx1-ubyte: label 10 \(image 0\) is not one of the training set's 10 classes \(0 to 9\)/);
  });

  it('--resume with no epochs left is an error; --lr with --resume warns that the checkpoint\'s learning rate goes on', () => {
    const ck = path.join(tmp, 'resume.ckpt');
    const first = convnode('train', '--limit', '128', '--epochs', '1', '--checkpoint', ck, '--quiet');
    expect(first.code, first.err).toBe(0);
    const none = convnode('train', '--limit', '128', '--epochs', '1', '--resume', ck, '--quiet');
    expect([none.code, none.err.trim()]).toEqual([1,
      `convnode: fit: ${ck} has finished 1 epoch(s) already, so epochs: 1 leaves nothing to train (epochs counts from the start of the run: pass more than 1)`]);
    const more = convnode('train', '--limit', '128', '--epochs', '2', '--resume', ck, '--lr', '0.5', '--quiet');
    expect(more.code, more.err).toBe(0);
    expect(more.err).toContain(`convnode: warning: --lr 0.5 is ignored: --resume continues with the optimizer (and learning rate) saved in ${ck}`);
    expect(more.out).toMatch(/after 2 epoch\(s\)/);
  }, 60000);
});
