// The benchmark suite must not rot: its --quick mode runs every case once on
// reduced sizes and writes a well-formed report. (Nothing here looks at how
// fast anything is.)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../bench/src/run';

const root = path.resolve(__dirname, '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-bench-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('npm run bench -- --quick', () => {
  it('runs every case and writes RESULTS.md, results.json and chart.svg', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'dist-bench', 'bench', 'src', 'main.js'), '--quick', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as BenchResults;
    const names = results.contenders.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['native 1t', 'ts']));
    expect(results.gemm.map((g) => g.case.name).slice(0, 3)).toEqual(['64³', '128³', '256³']);
    expect(results.gemm).toHaveLength(5);
    expect(results.conv).toHaveLength(21);
    expect(new Set(results.conv.map((c) => c.case.name))).toEqual(new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g']));
    expect(results.pool).toHaveLength(3);
    // Rows named by what they are; max-pool backward alone; the optimizer steps.
    expect(results.conv[0]!.case.label).toBe('lenet conv1');
    expect(results.poolBackward.map((p) => p.case.shape.mode)).toEqual(['max', 'max']);
    expect(results.optim.map((o) => [o.case.name, o.parameters])).toEqual([['sgd momentum, lenet', 63802], ['adam, smallvgg', 870634]]);
    expect(results.train.map((t) => t.case.model)).toEqual(['lenet', 'smallvgg', 'resnet20']);
    expect(results.infer.map((t) => [t.case.model, t.case.batch])).toEqual([['lenet', 32], ['smallvgg', 32], ['lenet', 1], ['smallvgg', 1]]);
    expect(results.peak.length).toBeGreaterThan(0);
    // The data section: both worker counts, and the end-to-end wait; the distributed section under mpirun.
    expect(results.pipeline!.rows.map((r) => r.workers)).toEqual([1, 2]);
    expect(results.pipeline!.rows.every((r) => r.decode > 0 && r.epoch > 0)).toBe(true);
    expect(results.pipeline!.endToEnd!.trainSeconds).toBeGreaterThan(results.pipeline!.endToEnd!.dataSeconds);
    expect(results.distributed!.missing).toBeUndefined();
    expect(results.distributed!.train.map((t) => t.model)).toEqual(['smallvgg', 'resnet20']);
    expect(results.distributed!.allreduce.map((a) => a.buckets)).toEqual([1]);
    // The native backend is measured on every case; nothing is silently dropped.
    for (const row of [...results.gemm, ...results.conv, ...results.pool, ...results.poolBackward, ...results.optim, ...results.train, ...results.infer, results.tiny]) {
      expect(row.outcomes['native 1t']?.kind).toBe('measured');
      for (const c of names) expect(row.outcomes[c], c).toBeDefined();
    }
    const wasm = results.meta.peers.find((p) => p.name === 'tfjs-wasm');
    if (wasm && !wasm.missing) {
      // A peer that cannot do an operation is shown as such.
      const bwdW = results.conv.find((c) => c.dir === 'backwardWeight')!.outcomes['tfjs-wasm'];
      expect(bwdW).toMatchObject({ kind: 'unsupported' });
      expect((bwdW as { reason: string }).reason).toMatch(/Conv2DBackpropFilter/);
    }

    const dnnl = results.meta.peers.find((p) => p.name === 'onednn');
    if (dnnl && !dnnl.missing) {
      // The oneDNN harness builds, answers and times every convolution direction.
      for (const row of results.conv) expect(row.outcomes['onednn 1t']?.kind, `${row.case.name} ${row.dir}`).toBe('measured');
      expect(results.gemm[0]!.outcomes['onednn 1t']).toMatchObject({ kind: 'unsupported' });
    }
    const ort = results.meta.peers.find((p) => p.name === 'onnxruntime');
    if (ort && !ort.missing) {
      // The bench's ONNX export computes what predict computes (checked before timing), at every batch size.
      for (const row of results.infer) expect(row.outcomes['onnxruntime 1t']?.kind, JSON.stringify(row.outcomes['onnxruntime 1t'])).toBe('measured');
      expect(results.conv.find((c) => c.dir === 'backwardData')!.outcomes['onnxruntime 1t']).toMatchObject({ kind: 'unsupported' });
    }

    const md = fs.readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
    for (const heading of ['## Targets', '## Peak fp32 FMA throughput (probe)', '## GEMM (GFLOP/s)', '## conv2d', '## Pooling', '## Max-pool backward alone', '## Optimizer step over a whole model', '## Training throughput', '## Inference throughput', '## Per-call overhead', '## Image pipeline (images/s)', '## Data-parallel training on this machine (mpirun)']) {
      expect(md).toContain(heading);
    }
    // Every table row has as many cells as its header.
    for (const block of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const rows = block.split('\n').map((l) => l.split('|').length);
      expect(new Set(rows).size, block.split('\n')[0]).toBe(1);
    }
    const svg = fs.readFileSync(path.join(out, 'chart.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    expect(svg.match(/<rect /g)!.length).toBeGreaterThan(5);
  }, 240000);
});
