// Loading: the addon reports its ISA path and kernel names; without the
// addon file convnode falls back to TS with exactly one warning; the
// environment variables force a backend, an ISA path and a thread count.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES } from '../lib/backend/types';
import { addon, ISAS } from './native-helpers';

const root = path.resolve(__dirname, '..');

const dist = path.join(root, 'dist', 'index.js');

/** Runs a CommonJS script in a fresh node process; returns its stdout, stderr and exit code. */
function runNode(script: string, env: Record<string, string> = {}): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: root, env: { ...process.env, CONVNODE_BACKEND: '', CONVNODE_ISA: '', CONVNODE_NUM_THREADS: '', ...env }, encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** A copy of the built package without any addon binary (no build/, no prebuilds/). */
function packageWithoutAddon(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-noaddon-'));
  fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('loading', () => {
  it('loads the native backend by default and reports the ISA path', () => {
    const r = runNode(`const c = require(${JSON.stringify(dist)}); console.log(JSON.stringify(c.runtimeInfo()));`);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { backend: string; native: { isa: string } };
    expect(info.backend).toBe('native');
    expect(info.native.isa).toBe(ISAS[0]);
    expect(r.stderr).toBe('');
  });

  it('falls back to TS with exactly one warning when the addon file is missing, and still computes', () => {
    const dir = packageWithoutAddon();
    try {
      const r = runNode(`
        const c = require(${JSON.stringify(path.join(dir, 'dist', 'index.js'))});
        const y = new Float32Array(4);
        for (let i = 0; i < 3; i++) c.backend().gemm({ m: 2, n: 2, k: 2 }, new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 0, 1]), y);
        console.log(c.backend().name, Array.from(y).join(','), c.nativeStatus().available);`);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('js 1,2,3,4 false');
      expect(r.stderr.match(/CONVNODE_NATIVE_UNAVAILABLE/g)?.length).toBe(1);
      expect(r.stderr).toMatch(/native addon could not be loaded .*Platform linux-x64.*npm rebuild convnode/s);
      // Forcing native where it cannot load is an error, not a silent fallback.
      const forced = runNode(`require(${JSON.stringify(path.join(dir, 'dist', 'index.js'))}).backend()`, { CONVNODE_BACKEND: 'native' });
      expect(forced.status).not.toBe(0);
      expect(forced.stderr).toMatch(/useBackend\('native'\) needs the native backend/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CONVNODE_BACKEND=js forces the TS backend without a warning; a bad value is a clear error', () => {
    const r = runNode(`const c = require(${JSON.stringify(dist)}); console.log(c.backend().name);`, { CONVNODE_BACKEND: 'js' });
    expect(r.stdout.trim()).toBe('js');
    expect(r.stderr).toBe('');
    const bad = runNode(`require(${JSON.stringify(dist)}).backend()`, { CONVNODE_BACKEND: 'gpu' });
    expect(bad.stderr).toMatch(/CONVNODE_BACKEND must be 'native' or 'js', got "gpu"/);
  });

  it('useBackend() switches backends at run time', () => {
    const r = runNode(`const c = require(${JSON.stringify(dist)}); const a = c.backend().name; c.useBackend('js'); const b = c.backend().name; c.useBackend('native'); console.log(a, b, c.backend().name);`);
    expect(r.stdout.trim()).toBe('native js native');
  });

  it.each(ISAS)('CONVNODE_ISA=%s selects that path', (isa) => {
    const r = runNode(`const c = require(${JSON.stringify(dist)}); console.log(c.runtimeInfo().native.isa);`, { CONVNODE_ISA: isa });
    expect(r.stdout.trim()).toBe(isa);
    expect(r.stderr).toBe('');
  });

  it('CONVNODE_ISA naming an unknown or unavailable path warns and uses the best available one', () => {
    const r = runNode(`const c = require(${JSON.stringify(dist)}); console.log(c.runtimeInfo().native.isa);`, { CONVNODE_ISA: 'sse9' });
    expect(r.stdout.trim()).toBe(ISAS[0]);
    expect(r.stderr).toMatch(/CONVNODE_ISA='sse9' is not one of scalar, neon, avx2, avx512/);
    if (!ISAS.includes('neon')) {
      const n = runNode(`const c = require(${JSON.stringify(dist)}); console.log(c.runtimeInfo().native.isa);`, { CONVNODE_ISA: 'neon' });
      expect(n.stdout.trim()).toBe('scalar');
      expect(n.stderr).toMatch(/CONVNODE_ISA='neon' is not available on this CPU; using scalar/);
    }
  });

  it('CONVNODE_LOG=1 names the implementation chosen for each kernel, once per choice, on each ISA path', () => {
    const script = `const cn = require(${JSON.stringify(dist)});
      const m = cn.models.lenet(), x = new cn.Tensor(new Float32Array(8 * 784), [8, 1, 28, 28]);
      const setup = { model: m, optimizer: new cn.SGD(m.parameters(), { lr: 0.01 }) };
      for (let i = 0; i < 3; i++) cn.trainStep(setup, x, new Int32Array(8));
      cn.setIsa('scalar');
      cn.trainStep(setup, x, new Int32Array(8));`;
    const r = runNode(script, { CONVNODE_LOG: '1' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes(' -> '));
    const best = ISAS[0]!;
    const direct = best === 'avx512' || best === 'avx2';
    expect(lines).toContain(`convnode: conv2d_forward -> ${direct ? 'direct' : 'im2col_gemm'} (${best})`);
    expect(lines).toContain(`convnode: pool2d_forward -> 2x2_s2 (${best})`);
    expect(lines).toContain('convnode: conv2d_forward -> im2col_gemm (scalar)');
    expect(lines).toContain('convnode: sgemm -> packed f32_gemm_ukernel_4x4__scalar (scalar)');
    expect(new Set(lines).size, 'each choice once').toBe(lines.length);
    expect(runNode(script).stderr).not.toContain(' -> ');
  });

  it('CONVNODE_NUM_THREADS and setNumThreads() set the thread count', () => {
    const r = runNode(`const c = require(${JSON.stringify(dist)}); const a = c.getNumThreads(); c.setNumThreads(2); console.log(a, c.getNumThreads());`, { CONVNODE_NUM_THREADS: '1' });
    expect(r.stdout.trim()).toBe('1 2');
  });

  it('an unusable CONVNODE_NUM_THREADS or CONVNODE_SCRATCH_LIMIT_MB warns and the default is used', () => {
    const script = `const c = require(${JSON.stringify(dist)}); const i = c.runtimeInfo().native; console.log(c.getNumThreads(), i.scratchLimitBytes / 2 ** 20);`;
    const bad = runNode(script, { CONVNODE_NUM_THREADS: '2x', CONVNODE_SCRATCH_LIMIT_MB: '-5' });
    expect(bad.stdout.trim()).toBe(`${os.availableParallelism()} 1024`);
    expect(bad.stderr).toMatch(/\[CONVNODE_ENV_IGNORED\] Warning: CONVNODE_NUM_THREADS='2x' is not a whole number from 1 to 1024; using every core/);
    expect(bad.stderr).toMatch(/\[CONVNODE_ENV_IGNORED\] Warning: CONVNODE_SCRATCH_LIMIT_MB='-5' is not a whole number of MiB from 1 to 2\^30; using 1024/);
    const good = runNode(script, { CONVNODE_NUM_THREADS: '1', CONVNODE_SCRATCH_LIMIT_MB: '300' });
    expect(good.stdout.trim()).toBe('1 300');
    expect(good.stderr).toBe('');
  });

  it('loads and computes in worker threads, and the process exits cleanly after them', () => {
    const r = runNode(`
      const { Worker } = require('node:worker_threads');
      const src = "const c = require(" + JSON.stringify(${JSON.stringify(dist)}) + "); const y = new Float32Array(4);" +
        "c.backend().gemm({ m: 2, n: 2, k: 2 }, new Float32Array([1, 2, 3, 4]), new Float32Array([2, 0, 0, 2]), y);" +
        "require('node:worker_threads').parentPort.postMessage(c.backend().name + ' ' + Array.from(y).join(','));";
      let done = 0;
      for (let i = 0; i < 3; i++) {
        const w = new Worker(src, { eval: true });
        w.on('message', (m) => { console.log(m); done++; });
        w.on('error', (e) => { console.error(e); process.exit(1); });
      }
      process.on('exit', () => console.log('workers', done));`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['native 2,4,6,8', 'native 2,4,6,8', 'native 2,4,6,8', 'workers 3']);
  });
});

describe('the native addon', () => {
  it('exports exactly the declared kernels plus the runtime controls', () => {
    expect(Object.keys(addon).sort()).toEqual([...KERNEL_NAMES, 'info', 'setIsa', 'setNumThreads', 'probePeak'].sort());
  });

  it('reports the ISA path it chose and every path this CPU has, scalar last', () => {
    const info = addon.info();
    expect(ISAS[ISAS.length - 1]).toBe('scalar');
    expect(ISAS).toContain(info.isa);
    if (process.arch === 'x64') {
      const flags = fs.readFileSync('/proc/cpuinfo', 'utf8');
      expect(ISAS.includes('avx512')).toBe(/\bavx512f\b/.test(flags));
      expect(ISAS.includes('avx2')).toBe(/\bavx2\b/.test(flags) && /\bfma\b/.test(flags));
    }
    expect(info.gemmKernel).toMatch(new RegExp(`__${info.isa === 'avx2' ? 'avx2_fma' : info.isa}$`));
  });
});
