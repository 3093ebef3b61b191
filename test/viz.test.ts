// Seeing inside a network, checked where the answer is known: a small CNN
// trained to detect a bright patch must put its saliency on the patch and
// lose the most probability when the patch is occluded; activation
// maximisation must raise its target; the filter command must reproduce
// the worked 7x7 example; bad input must give clear errors.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../lib/io/model-file';
import { Adam } from '../lib/optim/adam';
import { manualSeed } from '../lib/tensor/random';
import { Tensor } from '../lib/tensor/tensor';
import { fitSync } from '../lib/train/fit';
import { evaluate } from '../lib/train/step';
import { KERNELS, filterImage } from '../lib/viz/image-filters';
import { featureMaps, invertLayer, maximizeActivation, occlusion, saliency } from '../lib/viz/inspect';
import { inputColors } from '../lib/viz/render';
import { Conv2d, Flatten, Linear, ReLU } from '../lib/nn/layers';
import { Sequential as Seq } from '../lib/nn/sequential';
import type { Sequential } from '../lib/nn/sequential';
import { patchTask, tinyCnn } from './patch-task';

const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-viz-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let model: Sequential;
const test = patchTask(40, 99);

beforeAll(() => {
  manualSeed(11);
  model = tinyCnn();
  fitSync({ model, optimizer: new Adam(model.parameters(), { lr: 0.01 }) }, patchTask(512, 7), { epochs: 6, batchSize: 16, verbose: false, seed: 1 });
  expect(evaluate({ model }, test).accuracy).toBeGreaterThan(0.95);
});

function image(i: number): Tensor {
  return test.gather([i]).x; // [1, 1, 8, 8]
}

function writePng(file: string, w: number, h: number, value: (x: number, y: number) => number): void {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = 4 * (y * w + x);
    png.data[i] = png.data[i + 1] = png.data[i + 2] = value(x, y);
    png.data[i + 3] = 255;
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

describe('saliency and occlusion on the patch task', () => {
  it('saliency mass sits on the patch, far above the patch share of the image', () => {
    let share = 0, n = 0;
    test.corners.forEach((corner, i) => {
      if (!corner) return;
      const map = saliency(model, image(i), 1);
      let inside = 0, total = 0;
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
        total += map[r * 8 + c]!;
        if (r >= corner[0] && r < corner[0] + 3 && c >= corner[1] && c < corner[1] + 3) inside += map[r * 8 + c]!;
      }
      share += inside / total;
      n++;
    });
    // The patch is 9 of 64 pixels (14%).
    expect(share / n).toBeGreaterThan(2 * (9 / 64));
  });

  it('occluding the patch drops the class probability the most', () => {
    let hits = 0, n = 0;
    test.corners.forEach((corner, i) => {
      if (!corner) return;
      const r = occlusion(model, image(i), 1, { size: 3, stride: 1, value: -0.3 });
      expect([r.rows, r.cols]).toEqual([6, 6]);
      let best = 0;
      for (let k = 1; k < r.probs.length; k++) if (r.probs[k]! < r.probs[best]!) best = k;
      const [br, bc] = [Math.floor(best / r.cols), best % r.cols];
      // The most damaging square overlaps the patch.
      if (Math.abs(br - corner[0]) <= 2 && Math.abs(bc - corner[1]) <= 2) hits++;
      n++;
    });
    expect(hits / n).toBeGreaterThanOrEqual(0.9);
  });
});

describe('synthesis', () => {
  it('activation maximisation raises the class score at every one of its first steps', () => {
    const r = maximizeActivation(model, [1, 8, 8], { cls: 1 }, { steps: 8, lr: 0.01, tv: 0.1, range: [-1, 1] });
    for (let s = 1; s <= 6; s++) expect(r.scores[s]!, `step ${s}`).toBeGreaterThan(r.scores[s - 1]!);
    expect(r.image.data.every((v) => v >= -1 && v <= 1)).toBe(true);
    const unit = maximizeActivation(model, [1, 8, 8], { layer: '0', unit: 2 }, { steps: 6, lr: 0.01 });
    expect(unit.scores[6]).toBeGreaterThan(unit.scores[0]!);
  });

  it('clips an RGB input to each channel\'s own range', () => {
    manualSeed(2);
    const rgbModel = new Seq(new Conv2d(3, 2, 3, { padding: 1 }), new ReLU(), new Flatten(), new Linear(2 * 4 * 4, 2));
    const ranges = [[-1, -0.5], [0, 0.25], [2, 3]] as const;
    const r = maximizeActivation(rgbModel, [3, 4, 4], { cls: 0 }, { steps: 10, lr: 1, range: ranges });
    for (let c = 0; c < 3; c++) {
      const plane = r.image.data.subarray(c * 16, (c + 1) * 16);
      expect(plane.every((v) => v >= ranges[c]![0] && v <= ranges[c]![1]), `channel ${c}`).toBe(true);
    }
    expect(() => maximizeActivation(rgbModel, [3, 4, 4], { cls: 0 }, { steps: 1, lr: 1, range: [[0, 1], [0, 1]] })).toThrow(/one \[lo, hi\] or one per channel \(3\), got 2/);
  });

  it('undoes each channel\'s normalisation when it turns an RGB input back into colours', () => {
    const norm = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] };
    const pixels = [[10, 200, 30], [255, 0, 128]];
    const x = new Float32Array(6);
    pixels.forEach((p, i) => p.forEach((v, c) => { x[c * 2 + i] = (v / 255 - norm.mean[c]!) / norm.std[c]!; }));
    const color = inputColors(new Tensor(x, [1, 3, 1, 2]), norm);
    expect([color(0), color(1)]).toEqual(pixels);
  });

  it('inversion brings the encoding closer to the image\'s', () => {
    const r = invertLayer(model, image(1), '2', { steps: 60, lr: 0.05 });
    expect(r.scores.at(-1)!).toBeLessThan(0.25 * r.scores[0]!);
  });

  it('feature maps follow the layers: shapes and values', () => {
    const maps = featureMaps(model, image(1));
    expect(maps.map((m) => m.output.shape.join('x'))).toEqual(['1x4x8x8', '1x4x8x8', '1x4x4x4', '1x64', '1x2']);
    expect(maps[1]!.output.data.every((v) => v >= 0)).toBe(true); // after ReLU
  });
});

describe('classic filters as convolutions', () => {
  it('reproduce the worked 7x7 example with the filter command', () => {
    const rows = ['0000000', '0100010', '0000000', '0001000', '0100010', '0011100', '0000000'];
    const img = path.join(tmp, 'worked.png');
    writePng(img, 7, 7, (x, y) => Number(rows[y]![x]));
    const out = path.join(tmp, 'worked-map.png');
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), 'filter', 'custom', img, '--kernel', '0,0,1;1,0,0;0,1,1', '--padding', 'valid', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const png = PNG.sync.read(fs.readFileSync(out));
    expect([png.width, png.height]).toEqual([5, 5]);
    const got = Array.from({ length: 5 }, (_, y) => Array.from({ length: 5 }, (_, x) => png.data[4 * (y * 5 + x)]).join(''));
    expect(got).toEqual(['01000', '01110', '10021', '14210', '00121']);
  });

  it('sharpen and blur keep a flat image flat, edge detect zeroes it (away from the zero-padded border)', () => {
    const img = path.join(tmp, 'flat.png');
    writePng(img, 12, 12, () => 90);
    for (const [name, want] of [['sharpen', 90], ['blur', 90], ['edge', 0]] as const) {
      const r = filterImage(img, KERNELS[name]);
      expect([r.width, r.height]).toEqual([12, 12]);
      for (let y = 2; y < 10; y++) for (let x = 2; x < 10; x++) expect(r.channels[0]![y * 12 + x]).toBeCloseTo(want, 4);
    }
    // A vertical step: the Laplacian answers on both sides of it, with opposite signs.
    const step = path.join(tmp, 'step.png');
    writePng(step, 8, 8, (x) => (x < 4 ? 0 : 100));
    const e = filterImage(step, KERNELS.edge);
    expect([e.channels[0]![3 * 8 + 3], e.channels[0]![3 * 8 + 4]]).toEqual([100, -100]);
  });
});

describe('convnode viz', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', cwd: tmp });

  it('writes every kind of image for a saved model, and reports bad input clearly', () => {
    const file = path.join(tmp, 'patch.safetensors');
    saveModel(model, file, { inputShape: [1, 8, 8], mean: 0, std: 1, classNames: ['none', 'patch'] });
    const img = path.join(tmp, 'patch.png');
    writePng(img, 8, 8, (x, y) => (x >= 2 && x < 5 && y >= 3 && y < 6 ? 255 : 0));
    const out = path.join(tmp, 'viz');
    for (const kind of ['features', 'filters', 'saliency', 'occlusion', 'maximize', 'invert']) {
      const r = cli('viz', kind, '--model', file, '--image', img, '--layer', kind === 'invert' ? '2' : kind === 'features' ? '0' : '', '--out', out, '--steps', '20', '--size', '3', '--stride', '1');
      const args = kind === 'invert' || kind === 'features' ? r : cli('viz', kind, '--model', file, '--image', img, '--out', out, '--steps', '20', '--size', '3', '--stride', '1');
      expect(args.status, `${kind}: ${args.stderr}`).toBe(0);
      for (const f of args.stdout.trim().split('\n')) {
        const png = PNG.sync.read(fs.readFileSync(f));
        expect(png.width * png.height, f).toBeGreaterThan(0);
      }
    }
    expect(cli('viz', 'saliency', '--model', path.join(tmp, 'nope.safetensors'), '--image', img).stderr).toMatch(/nope\.safetensors: no such file/);
    expect(cli('viz', 'saliency', '--model', file, '--image', path.join(tmp, 'nope.png')).stderr).toMatch(/nope\.png: no such file/);
    const big = path.join(tmp, 'big.png');
    writePng(big, 10, 10, () => 0);
    // Another size is resized as the training images were (shorter side, then the centre).
    const resized = cli('viz', 'saliency', '--model', file, '--image', big, '--out', path.join(tmp, 'resized'));
    expect(resized.status, resized.stderr).toBe(0);
    expect(cli('viz', 'features', '--model', file, '--image', img, '--layer', 'conv9').stderr).toMatch(/unknown layer 'conv9'; the model's layers are: 0 \(Conv2d\), 1 \(ReLU\)/);
    expect(cli('viz', 'saliency', '--model', file, '--image', img, '--class', '5').stderr).toMatch(/class must be an integer in \[0, 2\), got 5/);
    expect(cli('viz', 'sketch', '--model', file).stderr).toMatch(/viz needs a kind: one of features, filters, saliency, occlusion, maximize, invert, got 'sketch'/);
    expect(cli('filter', 'custom', img, '--kernel', '1,2;3').stderr).toMatch(/--kernel must be a square matrix/);
  }, 60000);

  it('works on an RGB model normalised per channel: every kind, and the input shown in its own colours', () => {
    manualSeed(5);
    const rgbModel = new Seq(new Conv2d(3, 4, 3, { padding: 1 }), new ReLU(), new Flatten(), new Linear(4 * 8 * 8, 3));
    const file = path.join(tmp, 'rgb.safetensors');
    saveModel(rgbModel, file, { inputShape: [3, 8, 8], mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] });
    const img = path.join(tmp, 'rgb.png');
    const colour = (x: number, y: number) => [x * 30, y * 30, 255 - x * y * 4];
    const png = new PNG({ width: 8, height: 8 });
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) png.data.set([...colour(x, y), 255], 4 * (y * 8 + x));
    fs.writeFileSync(img, PNG.sync.write(png));
    const out = path.join(tmp, 'viz-rgb');
    for (const kind of ['features', 'filters', 'saliency', 'occlusion', 'maximize', 'invert']) {
      const r = cli('viz', kind, '--model', file, '--image', img, ...(kind === 'invert' ? ['--layer', '0'] : []), '--out', out, '--steps', '5', '--size', '3', '--stride', '2');
      expect(r.status, `${kind}: ${r.stderr}`).toBe(0);
    }
    // invert-original.png draws the input at 8 pixels a pixel, below a 16-pixel title band, 6 in from the left.
    const shown = PNG.sync.read(fs.readFileSync(path.join(out, 'invert-original.png')));
    for (const [x, y] of [[0, 0], [7, 2], [3, 6]] as const) {
      const at = 4 * ((16 + y * 8 + 4) * shown.width + 6 + x * 8 + 4);
      expect(Array.from(shown.data.subarray(at, at + 3)), `pixel (${x}, ${y})`).toEqual(colour(x, y));
    }
  }, 60000);
});
