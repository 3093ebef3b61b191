// Shared test tools: the backends this run has, a seeded RNG, and
// comparisons whose tolerance is derived from the reduction (length x fp32
// epsilon x the sum of |terms|), not a fixed 1e-3. Nothing here needs the
// native addon: the kernel suite (golden, gradients, kernels.reference)
// also runs with the addon absent (test/js-only.sh). Tests that compare
// the backends or drive the addon import native-helpers.ts.
import { expect } from 'vitest';
import { nativeBackend } from '../lib/backend';
import { jsBackend } from '../lib/backend/js';
import type { Backend } from '../lib/backend/types';

/**
 * Every backend this run can test: the TypeScript one always, the native
 * one when the addon loads (CONVNODE_BACKEND=js leaves it out).
 */
export const BACKENDS: Backend[] = (() => {
  const native = process.env['CONVNODE_BACKEND'] === 'js' ? null : nativeBackend();
  return native === null ? [jsBackend] : [native, jsBackend];
})();
export const EPS = 2 ** -23;

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(rand: () => number, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function abs(a: Float32Array): Float32Array {
  return a.map(Math.abs);
}

/**
 * |got[i] - want[i]| <= (terms + 2) * eps * scale[i] for every i, where
 * scale[i] is the sum of |products| that formed want[i] and terms the
 * longest such sum. Reports the worst index on failure.
 */
export function expectCloseScaled(got: Float32Array, want: Float32Array, scale: Float32Array, terms: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < got.length; i++) {
    const tol = (terms + 2) * EPS * scale[i]! + 1e-30;
    const ratio = Math.abs(got[i]! - want[i]!) / tol;
    if (!(ratio <= 1) && (worst < 0 || !(ratio <= worstRatio))) {
      worst = i;
      worstRatio = ratio;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: index ${worst} got ${got[worst]} want ${want[worst]} (scale ${scale[worst]}, ${terms} terms)`);
  }
}

/** Elementwise |got - want| <= rel * max(1, |want|). */
export function expectCloseRel(got: Float32Array, want: Float32Array, rel: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const tol = rel * Math.max(1, Math.abs(want[i]!));
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) {
      expect.fail(`${what}: index ${i} got ${got[i]} want ${want[i]} (tolerance ${tol})`);
    }
  }
}
