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

  it('bad input: unknown options and values, missing files, an image of the wrong size', () => {
    expect(convnode('train', '--model', 'alexnet').err).toMatch(/--model must be one of lenet, smallvgg, resnet, got 'alexnet'/);
    expect(convnode('train', '--epochs', '0').err).toMatch(/--epochs must be an integer >= 1, got '0'/);
    expect(convnode('train', '--bogus').code).toBe(2);
    expect(convnode('train', '--data', path.join(tmp, 'none')).err).toMatch(/no such folder/);
    expect(convnode('frobnicate').err).toMatch(/unknown command 'frobnicate'/);
    const missing = convnode('predict', 'nothing.png', '--model', 'nothing.safetensors');
    expect([missing.code, missing.err.trim()]).toEqual([1, 'convnode: nothing.safetensors: no such file']);
    const model = path.join(tmp, 'lenet.safetensors');
    const big = path.join(tmp, 'big.png');
    writeDigit(0, big, 32);
    expect(convnode('predict', big, '--model', model).err).toMatch(/big\.png: the model expects 28x28 images, this one is 32x32/);
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
});
