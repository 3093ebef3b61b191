// The targets table judges a bench run: fed a made-up run whose
// ratios are known by construction, it must say which goals are met.
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../bench/src/run';
import { targets, targetsTable } from '../bench/src/targets';
import type { Outcome } from '../bench/src/timing';

const t = (seconds: number): Outcome => ({ kind: 'measured', m: { median: seconds, min: seconds, max: seconds, runs: 1, repsPerSample: 1 } });
const shape = { n: 1, c: 1, h: 1, w: 1, k: 1, kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0 };

function run(): BenchResults {
  const gflop = 2 * 1024 ** 3;
  return {
    meta: {
      date: '2026-01-01', cpu: 'test', cpuFlags: [], cores: 2, node: '20', convnode: '0', platform: 'linux-x64', mode: 'full', rounds: 5,
      budget: 10, nativeIsa: 'avx512', maxThreads: 2, peers: [], gemmKernel: null, copyBandwidth: 20,
    },
    contenders: [
      { name: 'native 1t', kind: 'native', isa: 'avx512', threads: 1 }, { name: 'native 2t', kind: 'native', isa: 'avx512', threads: 2 },
      { name: 'ts', kind: 'ts' }, { name: 'pytorch 1t', kind: 'peer', threads: 1 }, { name: 'pytorch 2t', kind: 'peer', threads: 2 },
      { name: 'tfjs-cpu', kind: 'peer' }, { name: 'onnxruntime 1t', kind: 'peer', threads: 1 }, { name: 'onednn 1t', kind: 'peer', threads: 1 }, { name: 'onnxruntime 2t', kind: 'peer', threads: 2 },
    ],
    peak: [{ isa: 'avx512', threads: 1, gflops: 100 }, { isa: 'avx512', threads: 2, gflops: 200 }],
    gemm: [
      // 1t: 90 GFLOP/s = 90% of peak; 2t: 172 GFLOP/s = 86%, 1.91x faster.
      { case: { name: '1024³', m: 1024, n: 1024, k: 1024 }, flops: gflop, outcomes: { 'native 1t': t(gflop / 90e9), 'native 2t': t(gflop / 172e9), ts: t(1), 'tfjs-cpu': t(4) } },
      // A skinny shape at 50% of peak on 1 thread, 75% on 2.
      { case: { name: 'skinny', m: 10, n: 10, k: 10 }, flops: 1e9, outcomes: { 'native 1t': t(1e9 / 50e9), 'native 2t': t(1e9 / 150e9) } },
      { case: { name: '256³', m: 256, n: 256, k: 256 }, flops: 1e9, outcomes: { 'native 1t': t(1e9 / 95e9), 'native 2t': t(1e9 / 180e9), ts: t(1), 'tfjs-cpu': t(2.5) } },
    ],
    conv: [
      // 1t: native twice as fast, then 0.5x: geomean 1.0, one below 0.7. 2t: 2x and 1x.
      { case: { name: 'a', label: 'lenet conv1', shape }, dir: 'forward', flops: 1, outcomes: { 'native 1t': t(1), 'native 2t': t(1), 'pytorch 1t': t(2), 'pytorch 2t': t(2), ts: t(1), 'tfjs-cpu': t(3), 'onednn 1t': t(0.9) } },
      { case: { name: 'b', label: 'lenet conv2', shape }, dir: 'forward', flops: 1, outcomes: { 'native 1t': t(2), 'native 2t': t(1), 'pytorch 1t': t(1), 'pytorch 2t': t(1), ts: t(1), 'tfjs-cpu': { kind: 'skipped', reason: 'slow' }, 'onednn 1t': t(1.5) } },
    ],
    pool: [{ case: { name: 'p', shape: { mode: 'max', n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 } }, bytes: 30e9, outcomes: { 'native 1t': t(1), 'native 2t': t(1.5) } }],
    poolBackward: [],
    optim: [],
    train: [
      { case: { model: 'lenet', batch: 64, batches: 1 }, flops: 1, outcomes: { 'native 1t': t(0.01), 'native 2t': t(0.01), 'pytorch 1t': t(0.016), 'pytorch 2t': t(0.02) } },
      { case: { model: 'smallvgg', batch: 64, batches: 1 }, flops: 1, outcomes: { 'native 1t': t(0.17), 'native 2t': t(0.1), 'pytorch 1t': t(0.12), 'pytorch 2t': t(0.1) } },
    ],
    pytorchCrossCheck: { model: 'lenet', batch: 64, rows: [{ threads: 1, loop: 4000, peer: 3900 }, { threads: 2, loop: 5000, peer: 4000 }] },
    infer: [
      // Batch 256: 2 threads 2x one; onnxruntime half as fast at 1 thread, 1.25x faster at 2. Batch 1: 2 threads slower.
      { case: { model: 'lenet', batch: 256 }, flops: 1, outcomes: { 'native 1t': t(0.01), 'native 2t': t(0.005), 'onnxruntime 1t': t(0.02), 'onnxruntime 2t': t(0.004) } },
      { case: { model: 'lenet', batch: 1 }, flops: 1, outcomes: { 'native 1t': t(0.001), 'native 2t': t(0.0012), 'onnxruntime 1t': t(0.002), 'onnxruntime 2t': t(0.002) } },
    ],
    tiny: { case: { calls: 1000 }, outcomes: { 'native 1t': t(0.0005), 'native 2t': t(0.0012) } },
  };
}

describe('bench targets', () => {
  const rows = targets(run());
  const row = (prefix: string) => {
    const r = rows.find((x) => x.target.startsWith(prefix));
    if (!r) throw new Error(`no row ${prefix}: ${rows.map((x) => x.target).join(' / ')}`);
    return r;
  };

  it('judges GEMM against the probed peak and the thread speed-up', () => {
    expect(row('SGEMM 256³–1024³, avx512 path, 1 thread')).toMatchObject({ measured: { '1t': 'lowest 90% (1024³)' }, met: false });
    expect(row('SGEMM 1024³ and up, avx512 path, 2 threads')).toMatchObject({ measured: { '2t': 'lowest 86% (1024³)' }, met: false });
    expect(row('SGEMM, every shape')).toMatchObject({ measured: { '1t': 'lowest 50% (skinny)', '2t': 'lowest 75% (skinny)' }, met: false });
  });

  it('takes a GEMM sample against the peak probed just before it, when the runner probed one', () => {
    const r = run();
    // 1t, 1024-cubed: three rounds at 90, 45 and 95 GFLOP/s, the clock moving under them: probes of 100, 50 and 95
    // give 90%, 90% and 100% (median 90%). 256-cubed's samples at 46-48 GFLOP/s with probes of 50 read 92-96%
    // (median 94%), not the 47% the start-of-run probe (100) would give: the lowest is 1024-cubed's.
    const gflop = r.gemm[0]!.flops / 1e9;
    const withPeaks = (rates: number[], peaks: number[]): Outcome => ({
      kind: 'measured', m: { median: gflop / rates[1]!, min: 0, max: 0, runs: rates.length, repsPerSample: 1, samples: rates.map((x) => gflop / x), peaks },
    });
    r.gemm[0]!.outcomes['native 1t'] = withPeaks([90, 45, 95], [100, 50, 95]);
    r.gemm[2]!.flops = r.gemm[0]!.flops;
    r.gemm[2]!.outcomes['native 1t'] = withPeaks([46, 48, 47], [50, 50, 50]);
    const one = targets(r).find((x) => x.target.startsWith('SGEMM 256³–1024³, avx512 path, 1 thread'));
    expect(one).toMatchObject({ measured: { '1t': 'lowest 90% (1024³)' }, met: false });
    // 93%, 93% and 100%: the goal (92%) is met.
    r.gemm[0]!.outcomes['native 1t'] = withPeaks([93, 46.5, 95], [100, 50, 95]);
    expect(targets(r).find((x) => x.target.startsWith('SGEMM 256³–1024³, avx512 path, 1 thread'))).toMatchObject({ measured: { '1t': 'lowest 93% (1024³)' }, met: true });
  });

  it('judges conv2d case by case against PyTorch at the same thread count', () => {
    const r = row('conv2d a–g');
    expect(r.measured['1t']).toBe('geomean 1.00×, lowest 0.50× (b forward); below 1.5×: b forward 0.50×');
    expect(r.measured['2t']).toBe('geomean 1.41×, lowest 1.00× (b forward); below 1.5×: b forward 1.00×');
    expect(r.met).toBe(false);
    // oneDNN at 1 thread only: 0.90x and 0.75x (one below 0.8x); without a 2-thread peer the row is n/a.
    expect(row('conv2d a–g, all directions, vs oneDNN')).toMatchObject({
      measured: { '1t': 'geomean 0.82×, lowest 0.75× (b forward); below 0.8×: b forward 0.75×', '2t': 'no oneDNN peer' }, met: null,
    });
  });

  it("judges the 3x3 stride-1 cases, and only those, against oneDNN's automatic choice", () => {
    expect(rows.some((x) => x.target.includes('automatic choice'))).toBe(false); // a and b are not 3x3 stride 1
    const base = run();
    const d = { ...shape, kh: 3, kw: 3, padH: 1, padW: 1 };
    const withAuto: BenchResults = {
      ...base,
      contenders: [...base.contenders, { name: 'onednn-auto 1t', kind: 'peer', threads: 1 }, { name: 'onednn-auto 2t', kind: 'peer', threads: 2 }],
      conv: [...base.conv, { case: { name: 'd', label: 'resnet 3x3', shape: d }, dir: 'forward', flops: 1, outcomes: { 'native 1t': t(1), 'native 2t': t(1), 'onednn-auto 1t': t(1.2), 'onednn-auto 2t': t(0.9) } }],
    };
    const auto = targets(withAuto).find((x) => x.target.includes('automatic choice'));
    expect(auto).toMatchObject({
      target: "conv2d 3×3 stride 1 (d), all directions, vs oneDNN's automatic choice",
      measured: { '1t': 'geomean 1.20×, lowest 1.20× (d forward)', '2t': 'geomean 0.90×, lowest 0.90× (d forward); below 1×: d forward 0.90×' },
      met: false,
    });
  });

  it('judges the PyTorch peer against a plain PyTorch loop', () => {
    expect(row('PyTorch peer vs a plain PyTorch loop')).toMatchObject({
      measured: { '1t': 'peer 3900 vs loop 4000 images/s (-3%)', '2t': 'peer 4000 vs loop 5000 images/s (-20%)' }, met: false,
    });
  });

  it('judges inference by its thread speed-up, batch 1 latency, and against onnxruntime', () => {
    expect(row('inference lenet (batch 256), 2 threads')).toMatchObject({ measured: { '2t': '2.00× (10.00 ms vs 5.00 ms)' }, met: true });
    expect(row('inference lenet (batch 1), 2 threads')).toMatchObject({ goal: '≥ 1.0× (latency no worse)', met: false });
    expect(row('inference lenet (batch 256), vs onnxruntime')).toMatchObject({ measured: { '1t': '2.00× (25600 vs 12800 images/s)', '2t': '0.80× (51200 vs 64000 images/s)' }, met: false });
    expect(row('inference lenet (batch 1), vs onnxruntime').met).toBe(true);
  });

  it('judges pooling against the memory bandwidth, training and threads against their goals', () => {
    expect(row('pooling')).toMatchObject({ measured: { '1t': 'lowest 30.0 GB/s = 1.50× (p)', '2t': 'lowest 20.0 GB/s = 1.00× (p)' }, met: true });
    expect(row('training lenet')).toMatchObject({ measured: { '1t': '1.60× (6400 vs 4000 images/s)', '2t': '2.00× (6400 vs 3200 images/s)' }, goal: '≥ 2.5×', met: false, note: 'best against best: 1.60×' });
    expect(row('training smallvgg').met).toBe(false);
    expect(row('SmallVGG training, 2 threads')).toMatchObject({ measured: { '2t': '1.70×' }, met: true });
    expect(row('kernel call')).toMatchObject({ measured: { '1t': '0.500 µs', '2t': '1.200 µs' }, met: false });
  });

  it('judges the TypeScript backend against tfjs-cpu, counting an over-budget tfjs case as slower', () => {
    expect(row('TS backend GEMM')).toMatchObject({ measured: { all: '256³ 2.5×' }, met: false });
    expect(row('TS backend conv2d')).toMatchObject({ met: true });
    expect(row('TS backend conv2d').measured['all']).toContain('1 case(s) where tfjs-cpu was over the time budget');
  });

  it('renders one markdown row per target with a cell per column', () => {
    const md = targetsTable(rows).split('\n');
    expect(md).toHaveLength(rows.length + 2);
    expect(new Set(md.map((l) => l.split('|').length)).size).toBe(1);
    expect(md.filter((l) => l.includes('**no**'))).toHaveLength(rows.filter((r) => r.met === false).length);
  });
});
