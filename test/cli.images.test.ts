// `convnode train --model resnet20` on colour images, end to end through the
// command: an image folder (generated colour shapes, 10 classes, train/ and
// val/) is found as such, ResNet-20 learns it to a high accuracy in 6
// epochs of 1,000 images, and the saved model's eval and predict agree
// with it; CIFAR-10 binary files written from the same images are found
// and trained on too.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeShapeFolder } from './shapes';

const cli = path.resolve(__dirname, '..', 'dist', 'cli', 'main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-images-'));
const folder = path.join(tmp, 'shapes');
let classes: string[] = [];
beforeAll(() => {
  classes = writeShapeFolder(path.join(folder, 'train'), 80, 32, 1);
  writeShapeFolder(path.join(folder, 'val'), 20, 32, 2);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function convnode(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: tmp, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const accuracyOf = (text: string) => Number(/test accuracy ([\d.]+)%/.exec(text)?.[1]);

describe('convnode on colour images', () => {
  it('ResNet-20 learns an image folder of colour shapes; eval and predict use the saved model', () => {
    const model = path.join(tmp, 'shapes.safetensors');
    const t = convnode('train', '--model', 'resnet20', '--data', folder, '--epochs', '6', '--batch-size', '32', '--optimizer', 'adam', '--lr', '0.002',
      '--seed', '1', '--save', model);
    expect(t.code, t.err).toBe(0);
    expect(t.err).toContain(`--data ${folder} is an image folder: 10 classes, 1000 images as 3x32x32 (decoded with napi-rs: 1000); test set: train/ and val/`);
    expect(t.err).toMatch(/augmented: crop-flip/);
    const acc = accuracyOf(t.out);
    expect(acc, t.out).toBeGreaterThan(85);

    const e = convnode('eval', '--model', model, '--data', folder);
    expect(e.code, e.err).toBe(0);
    expect(accuracyOf(e.out)).toBe(acc);

    // A validation image, and the same image at 48x48: resized as training images were.
    const image = path.join(folder, 'val', 'disc-red', '003.png');
    const big = path.join(tmp, 'big-disc.png');
    const src = PNG.sync.read(fs.readFileSync(image));
    const png = new PNG({ width: 48, height: 48 });
    for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) png.data.set(src.data.subarray(4 * (Math.floor(y / 1.5) * 32 + Math.floor(x / 1.5)), 4 * (Math.floor(y / 1.5) * 32 + Math.floor(x / 1.5)) + 4), 4 * (y * 48 + x));
    fs.writeFileSync(big, PNG.sync.write(png));
    for (const file of [image, big]) {
      const p = convnode('predict', file, '--model', model, '--top', '1');
      expect(p.code, p.err).toBe(0);
      expect(p.out.split('\t')[0], file).toBe('disc-red');
    }
    expect(classes).toContain('disc-red');
  }, 120000);

  it('CIFAR-10 binary files are found and trained on', () => {
    const dir = path.join(tmp, 'cifar');
    fs.mkdirSync(dir);
    // Records from the generated images: label byte, then the R, G and B planes.
    const record = (file: string, label: number) => {
      const img = PNG.sync.read(fs.readFileSync(file));
      const out = Buffer.alloc(3073);
      out[0] = label;
      for (let i = 0; i < 1024; i++) for (let c = 0; c < 3; c++) out[1 + c * 1024 + i] = img.data[4 * i + c]!;
      return out;
    };
    const records = (split: string, per: number) => Buffer.concat(classes.flatMap((name, label) =>
      fs.readdirSync(path.join(folder, split, name)).slice(0, per).map((f) => record(path.join(folder, split, name, f), label))));
    const train = records('train', 20);
    for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), train.subarray((b - 1) * 40 * 3073, b * 40 * 3073));
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), records('val', 5));
    const t = convnode('train', '--model', 'resnet20', '--data', dir, '--epochs', '1', '--batch-size', '32');
    expect(t.code, t.err).toBe(0);
    expect(t.err).toContain(`--data ${dir} is CIFAR-10 binary files: 200 training, 50 test images`);
    expect(accuracyOf(t.out), 'the run finished and printed its test accuracy').toBeGreaterThanOrEqual(0);
  }, 60000);
});
