// Shared test tools: a seeded RNG, the two backends, the ISA paths of this
// CPU, and a comparison whose tolerance is derived from the reduction
// (length x fp32 epsilon x the sum of |terms|), not a fixed 1e-3.
import { expect } from 'vitest';
import { jsBackend } from '../lib/backend/js';
import { loadNative, type NativeAddon } from '../lib/backend/native';
import type { Backend, IsaName } from '../lib/backend/types';

const load = loadNative();
if (!load.ok) throw new Error(`tests need the native addon: ${load.reason}`);
export const addon: NativeAddon = load.addon;
export const native: Backend = load.backend;
export const js: Backend = jsBackend;
export const ISAS: IsaName[] = addon.info().availableIsas;
export const EPS = 2 ** -23;

/** Runs body once per ISA path this CPU has, restoring the best path after. */
export function forEachIsa(body: (isa: IsaName) => void): void {
  try {
    for (const isa of ISAS) {
      addon.setIsa(isa);
      body(isa);
    }
  } finally {
    addon.setIsa(ISAS[0]!);
  }
}

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
