// GEMM: native (every ISA path, 1 and all threads) against the TS backend.
import { describe, expect, it } from 'vitest';
import type { GemmOptions } from '../lib/backend/types';
import { abs, expectCloseScaled, randInt, randomArray, rng } from './helpers';
import { addon, forEachIsa, js, native } from './native-helpers';

function check(o: Required<GemmOptions>, seed: number, tag: string): void {
  const rand = rng(seed);
  const a = randomArray(rand, o.m * o.k), b = randomArray(rand, o.k * o.n), c0 = randomArray(rand, o.m * o.n);
  const got = o.beta === 0 ? new Float32Array(o.m * o.n).fill(NaN) : c0.slice();
  const want = c0.slice();
  native.gemm(o, a, b, got);
  js.gemm(o, a, b, want);
  const scale = abs(c0);
  js.gemm({ ...o, alpha: Math.abs(o.alpha), beta: Math.abs(o.beta) }, abs(a), abs(b), scale);
  expectCloseScaled(got, want, scale, o.k, `${tag} gemm ${JSON.stringify(o)}`);
}

const fixed: Array<[number, number, number]> = [
  [1, 1, 1], [1, 37, 5], [37, 1, 5], [13, 33, 385], [97, 65, 31], [200, 150, 100], [12, 32, 64], [6, 16, 7], [3, 2500, 9],
  // narrow N (the direct-A path for row-major A): short last row tiles, partial column blocks, K in two blocks
  [131, 48, 40], [40, 9, 300], [25, 64, 1100], [77, 24, 17],
  // N in (64, 128]: the widest direct-A tile over two or more column blocks, K in three blocks
  [70, 120, 130], [33, 97, 1100],
];

describe('gemm native vs TS', () => {
  for (const threads of [1, 2]) {
    it(`matches on fixed and random shapes, all transposes, ${threads} thread(s), every ISA`, () => {
      addon.setNumThreads(threads);
      let cases = 0;
      forEachIsa((isa) => {
        const rand = rng(7 + threads);
        const shapes = [...fixed];
        for (let i = 0; i < 6; i++) shapes.push([randInt(rand, 1, 90), randInt(rand, 1, 90), randInt(rand, 1, 90)]);
        shapes.forEach(([m, n, k], si) => {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              const beta = si % 3 === 0 ? 0 : si % 3 === 1 ? 1 : -0.5;
              check({ m, n, k, transA, transB, alpha: si % 2 ? 1 : 0.75, beta }, si * 4 + Number(transA) * 2 + Number(transB), `${isa}/t${threads}`);
              cases++;
            }
          }
        });
      });
      expect(cases).toBeGreaterThan(100);
      addon.setNumThreads(addon.info().maxThreads);
    });
  }

  it('gives bit-identical results for 1 and 2 threads (packed and direct-A paths)', () => {
    const rand = rng(99);
    for (const o of [{ m: 300, n: 200, k: 150 }, { m: 301, n: 48, k: 600 }, { m: 130, n: 120, k: 300 }]) {
      const a = randomArray(rand, o.m * o.k), b = randomArray(rand, o.k * o.n);
      const c1 = new Float32Array(o.m * o.n), c2 = new Float32Array(o.m * o.n);
      addon.setNumThreads(1);
      native.gemm(o, a, b, c1);
      addon.setNumThreads(2);
      native.gemm(o, a, b, c2);
      expect(Buffer.from(c1.buffer).equals(Buffer.from(c2.buffer)), JSON.stringify(o)).toBe(true);
    }
  });

  it('works on views with a byte offset into a larger buffer', () => {
    const rand = rng(5);
    const buf = randomArray(rand, 100);
    const a = buf.subarray(3, 3 + 12), b = buf.subarray(20, 20 + 12), c = new Float32Array(100).subarray(50, 59);
    native.gemm({ m: 3, n: 3, k: 4 }, a, b, c);
    const want = new Float32Array(9);
    js.gemm({ m: 3, n: 3, k: 4 }, a, b, want);
    const scale = new Float32Array(9);
    js.gemm({ m: 3, n: 3, k: 4 }, abs(a), abs(b), scale);
    expectCloseScaled(c, want, scale, 4, 'offset views');
  });
});
