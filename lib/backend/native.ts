// Loads the native addon through node-gyp-build: a prebuilt binary from
// prebuilds/<platform>-<arch>/ if one matches, else build/Release/ from a
// source build. Never throws: a failure comes back as a reason the caller
// can show, with what to do about it.
import * as path from 'node:path';
import { KERNEL_NAMES, type Backend, type Kernels, type IsaName, type NativeInfo } from './types';
import { Call } from './validate';

/**
 * The addon's gemm: the options' fields as arguments (undefined for a
 * default). Reading seven fields through N-API cost about 0.9 us a call;
 * read here, in JavaScript, they cost next to nothing. The addon checks
 * each value and names it as options.m etc.
 */
export type NativeGemm = (
  m: unknown, n: unknown, k: unknown, transA: unknown, transB: unknown, alpha: unknown, beta: unknown,
  a: Float32Array, b: Float32Array, c: Float32Array,
) => void;

/** The addon's own exports: every kernel plus its runtime controls. */
export interface NativeAddon extends Omit<Backend, 'name' | 'gemm'> {
  gemm: NativeGemm;
  info(): NativeInfo;
  setIsa(isa: IsaName): void;
  setNumThreads(n: number): void;
  /** GFLOP/s of register-resident FMAs on one ISA path with `threads` threads, timed for about `seconds`. */
  probePeak(isa: IsaName, threads: number, seconds: number): number;
}

export type NativeLoad =
  | { ok: true; addon: NativeAddon; backend: Backend }
  | { ok: false; reason: string };

/** The package root (holds binding.gyp, build/ and prebuilds/). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

export function loadNative(root: string = PACKAGE_ROOT): NativeLoad {
  let addon: NativeAddon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    addon = nodeGypBuild(root) as NativeAddon;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return {
      ok: false,
      reason:
        `the native addon could not be loaded (${message}). ` +
        `Platform ${process.platform}-${process.arch}, Node ${process.versions.node}, ` +
        `N-API ${process.versions.napi ?? 'unknown'}. ` +
        'To fix: run `npm rebuild convnode` with a C++17 compiler, make and python3 installed ' +
        '(or `npm run build` for the cmake-js build), or set CONVNODE_BACKEND=js to silence this warning.',
    };
  }
  const missing = KERNEL_NAMES.filter((k) => typeof (addon as unknown as Record<string, unknown>)[k] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `the native addon is out of date: it lacks ${missing.join(', ')}; run \`npm rebuild convnode\`` };
  }
  const backend = Object.freeze({ name: 'native' as const, ...pickKernels(addon) }) as Backend;
  return { ok: true, addon, backend };
}

function pickKernels(addon: NativeAddon): Omit<Backend, 'name'> {
  const out: Record<string, unknown> = {};
  for (const k of KERNEL_NAMES) out[k] = (addon as unknown as Record<string, unknown>)[k];
  out.gemm = gemmWithOptions(addon.gemm);
  return out as unknown as Omit<Backend, 'name'>;
}

/** The public gemm(options, a, b, c) over the addon's positional one. */
function gemmWithOptions(gemm: NativeGemm): Kernels['gemm'] {
  const call = new Call('gemm');
  return (options, a, b, c) => {
    const o = call.object(options, 'options');
    gemm(o.m, o.n, o.k, o.transA, o.transB, o.alpha, o.beta, a, b, c);
  };
}
