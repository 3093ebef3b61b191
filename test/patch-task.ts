// A task with a known answer: 8x8 noise images; class 1 has a bright 3x3
// patch at a random place (its corner is returned), class 0 has none.
import { Dataset } from '../lib/data/dataset';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU } from '../lib/nn/layers';
import { Sequential } from '../lib/nn/sequential';
import { Rng } from '../lib/tensor/random';

export function patchTask(n: number, seed: number): Dataset & { corners: Array<[number, number] | null> } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 64), y = new Int32Array(n);
  const corners: Array<[number, number] | null> = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 64; j++) x[i * 64 + j] = rng.uniform(-0.3, 0.3);
    y[i] = i % 2;
    if (y[i]) {
      const r = Math.floor(rng.next() * 6), c = Math.floor(rng.next() * 6);
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) x[i * 64 + (r + a) * 8 + c + b] = 1;
      corners.push([r, c]);
    } else {
      corners.push(null);
    }
  }
  return Object.assign(new Dataset(x, y, [1, 8, 8], 2), { corners });
}

export function tinyCnn(): Sequential {
  return new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 2));
}
