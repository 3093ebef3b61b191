// Loads the native addon through node-gyp-build: a prebuilt binary from
// prebuilds/<platform>-<arch>/ if one matches, else build/Release/ from a
// source build. Never throws: a failure comes back as a reason the caller
// can show, with what to do about it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkedBackend, MAX_KERNEL_ARRAYS, paramList, perKernel, type RawKernels } from './check';
import { CONTRACTS, ENUMS, GEOMETRIES, KERNEL_NAMES, type Field, type KernelName } from './contracts';
import type { Backend, IsaName, NativeInfo } from './types';

/**
 * An addon kernel as it is called over the wire: the geometry's fields in a
 * Float64Array (contracts.ts order; enums as their index, bools as 0 or 1),
 * then the kernel's arguments. The addon guards every argument again
 * (native/napi/guard.cc), so no call can make it touch memory it does not own.
 */
export type WireKernel = (geometry: Float64Array, ...args: unknown[]) => unknown;

/** The addon's own exports: every kernel plus its runtime controls. */
export interface NativeAddon extends Record<KernelName, WireKernel> {
  info(): NativeInfo;
  setIsa(isa: IsaName): void;
  setNumThreads(n: number): void;
  /** GFLOP/s of register-resident FMAs on one ISA path with `threads` threads, timed for about `seconds`. */
  probePeak(isa: IsaName, threads: number, seconds: number): number;
}

export type NativeLoad =
  | { ok: true; addon: NativeAddon; backend: Backend }
  | { ok: false; reason: string };

/**
 * The package root (holds package.json, build/ and prebuilds/): the nearest
 * folder above this file with a package.json (dist/backend/ in the
 * package, lib/backend/ under the tests, dist-bench/lib/backend/ in the bench).
 */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..');
  }
}

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
        'To fix: install a C++17 compiler, make and python3 (Debian/Ubuntu: apt-get install g++ make python3) and run ' +
        '`npm rebuild convnode`, or set CONVNODE_BACKEND=js to silence this warning.',
    };
  }
  const missing = KERNEL_NAMES.filter((k) => typeof (addon as unknown as Record<string, unknown>)[k] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `the native addon is out of date: it lacks ${missing.join(', ')}; run \`npm rebuild convnode\`` };
  }
  return { ok: true, addon, backend: checkedBackend('native', wireKernels(addon)) };
}

/**
 * Encodes a resolved geometry's wire fields into `out`, compiled once per
 * geometry from the table ("out[0] = g.m; ..."), as geometry.ts compiles
 * its readers. Only contracts.ts's own names reach the source.
 */
function encoder(fields: readonly Field[]): (g: Record<string, unknown>, out: Float64Array) => void {
  const lines = fields.map((f, i) => {
    if (!/^[A-Za-z_]\w*$/.test(f.name)) throw new Error(`contracts.ts: bad field name '${f.name}'`);
    const v = `g.${f.name}`;
    if (f.type === 'bool') return `out[${i}] = ${v} ? 1 : 0;`;
    if (f.type !== 'enum') return `out[${i}] = ${v};`;
    return `out[${i}] = ${ENUMS[f.enum].map((c, k) => `${v} === ${JSON.stringify(c)} ? ${k} : `).join('')}-1;`;
  });
  return new Function('g', 'out', lines.join('\n')) as (g: Record<string, unknown>, out: Float64Array) => void;
}

/** One kernel's call over the wire, compiled per kernel (see check.ts: perKernel), as many arrays as check.ts's wrappers pass. */
const WIRE_CALL = `function (encode, wire, fn) {
  return function (g, ${paramList(MAX_KERNEL_ARRAYS)}) {
    encode(g, wire);
    return fn(wire, ${paramList(MAX_KERNEL_ARRAYS)});
  };
}`;

/** The addon's kernels as raw kernels: each call's geometry encoded into one reused Float64Array. */
function wireKernels(addon: NativeAddon): RawKernels {
  const out: Record<string, unknown> = {};
  for (const k of KERNEL_NAMES) {
    const fields = GEOMETRIES[CONTRACTS[k].geometry].fields as readonly Field[];
    const encode = encoder(fields);
    // One per kernel: calls are synchronous, and the addon copies it before anything else.
    const wire = new Float64Array(fields.length);
    const fn = addon[k];
    out[k] = perKernel<(e: typeof encode, w: Float64Array, f: WireKernel) => unknown>(WIRE_CALL)(encode, wire, fn);
  }
  return out as unknown as RawKernels;
}
