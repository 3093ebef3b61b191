// The targets of issues 6 and 22 (and 20, 24 for their sections), checked against one bench run: each row gives the
// goal, what this run measured at 1 thread and at all threads, and whether
// the goal is met. Nothing here is measured anew; it reads BenchResults.
import { isWinogradCase } from './cases';
import type { BenchResults } from './run';
import { percentOfPeak } from './peak';
import { formatSeconds, type Outcome } from './timing';

export interface TargetRow {
  target: string;
  goal: string;
  /** Measured values as shown, per thread count ('1t', '2t', ...) or one 'all' column. */
  measured: Record<string, string>;
  /** null when this run lacks what the row needs (a peer not installed, --only). */
  met: boolean | null;
  note?: string;
}

type Outs = Record<string, Outcome>;

const median = (o: Outcome | undefined): number | undefined => (o?.kind === 'measured' ? o.m.median : undefined);
const geomean = (xs: number[]) => Math.exp(xs.reduce((t, x) => t + Math.log(x), 0) / xs.length);
const fmt = (x: number, digits = 2) => x.toFixed(digits);
const allMet = (xs: Array<boolean | null>): boolean | null => (xs.some((x) => x === null) ? null : xs.every(Boolean));

export function targets(r: BenchResults): TargetRow[] {
  const isa = r.meta.nativeIsa;
  const threadCounts = r.meta.maxThreads > 1 ? [1, r.meta.maxThreads] : [1];
  const native = (t: number, path = isa) => r.contenders.find((c) => c.kind === 'native' && c.isa === path && c.threads === t)?.name;
  const torch = (t: number) => r.contenders.find((c) => c.kind === 'peer' && c.name.startsWith('pytorch') && c.threads === t)?.name;
  const rows: TargetRow[] = [];
  const perThreads = (f: (t: number) => { text: string; met: boolean | null }) => {
    const measured: Record<string, string> = {};
    const met: Array<boolean | null> = [];
    for (const t of threadCounts) {
      const v = f(t);
      measured[`${t}t`] = v.text;
      met.push(v.met);
    }
    return { measured, met: allMet(met) };
  };

  // 1. GEMM.
  const gemmPct = (row: BenchResults['gemm'][number] | undefined, t: number, path = isa) => {
    const name = native(t, path);
    return name === undefined || row === undefined ? undefined : percentOfPeak(r, name, row.outcomes[name], row.flops);
  };
  // Issue 22: >= 92% of the 1-thread peak from 256-cubed to 2048-cubed, >= 90% of the all-thread peak from 1024-cubed.
  const squares = r.gemm.filter((g) => g.case.m === g.case.n && g.case.n === g.case.k).sort((a, b) => a.case.m - b.case.m);
  const lowestPct = (rows: typeof squares, t: number, path = isa) => {
    const pcts = rows.map((g) => ({ name: g.case.name, p: gemmPct(g, t, path) }));
    if (pcts.length === 0 || pcts.some((x) => x.p === undefined)) return undefined;
    return pcts.reduce((a, b) => (b.p! < a.p! ? b : a));
  };
  const oneThread = squares.filter((g) => g.case.m >= 256 && g.case.m <= 2048);
  if (oneThread.length > 0) {
    const w = lowestPct(oneThread, 1);
    rows.push({
      target: `SGEMM ${[...new Set([oneThread[0]!.case.name, oneThread.at(-1)!.case.name])].join('–')}, ${isa} path, 1 thread`, goal: '≥ 92% of the 1-thread peak',
      measured: { '1t': w === undefined ? '—' : `lowest ${fmt(w.p!, 0)}% (${w.name})` }, met: w === undefined ? null : w.p! >= 92,
    });
  }
  const large = squares.filter((g) => g.case.m >= 1024);
  if (large.length > 0 && r.meta.maxThreads > 1) {
    const t = r.meta.maxThreads, w = lowestPct(large, t);
    rows.push({
      target: `SGEMM ${large[0]!.case.name} and up, ${isa} path, ${t} threads`, goal: `≥ 90% of the ${t}-thread peak`,
      measured: { [`${t}t`]: w === undefined ? '—' : `lowest ${fmt(w.p!, 0)}% (${w.name})` }, met: w === undefined ? null : w.p! >= 90,
    });
  }
  const g1024 = squares.find((g) => g.case.m === 1024);
  if (g1024 && isa === 'avx512' && r.contenders.some((c) => c.isa === 'avx2')) {
    const v = perThreads((t) => { const p = gemmPct(g1024, t, 'avx2'); return { text: p === undefined ? '—' : `${fmt(p, 0)}%`, met: p === undefined ? null : p >= 85 }; });
    rows.push({ target: 'SGEMM 1024³, avx2 path', goal: '≥ 85% of the AVX2 peak', ...v });
  }
  if (r.gemm.length > 0) {
    const v = perThreads((t) => {
      const pcts = r.gemm.map((g) => ({ name: g.case.name, p: gemmPct(g, t) }));
      if (pcts.some((x) => x.p === undefined)) return { text: '—', met: null };
      const worst = pcts.reduce((a, b) => (b.p! < a.p! ? b : a));
      return { text: `lowest ${fmt(worst.p!, 0)}% (${worst.name})`, met: worst.p! >= 70 };
    });
    rows.push({ target: 'SGEMM, every shape in the table', goal: '≥ 70% of peak', ...v });
  }

  // 2. conv2d against a peer at the same thread count, case by case: PyTorch
  // (issue 22: at least 1.5x on every case), oneDNN's own direct
  // convolution (geomean >= 1.0x, none below 0.8x), and on the 3x3 stride-1
  // cases oneDNN's automatic choice (Winograd where it takes it; >= 1.0x).
  const peerNamed = (prefix: string) => (t: number) => r.contenders.find((c) => c.kind === 'peer' && c.name === `${prefix} ${t}t`)?.name;
  const dnnl = peerNamed('onednn'), dnnlAuto = peerNamed('onednn-auto');
  const convAgainst = (peer: (t: number) => string | undefined, peerName: string, floor: number, geomeanGoal: number, cases = r.conv) => perThreads((t) => {
    const a = native(t), b = peer(t);
    if (!a || !b) return { text: `no ${peerName} peer`, met: null };
    const ratios = cases.map((c) => ({ label: `${c.case.name} ${c.dir}`, x: (median(c.outcomes[b]) ?? NaN) / (median(c.outcomes[a]) ?? NaN) }));
    if (ratios.some((x) => !Number.isFinite(x.x))) return { text: '—', met: null };
    const gm = geomean(ratios.map((x) => x.x));
    const low = ratios.filter((x) => x.x < floor);
    const worst = ratios.reduce((p, q) => (q.x < p.x ? q : p));
    return {
      text: `geomean ${fmt(gm)}×, lowest ${fmt(worst.x)}× (${worst.label})${low.length ? `; below ${floor}×: ${low.map((x) => `${x.label} ${fmt(x.x)}×`).join(', ')}` : ''}`,
      met: gm >= geomeanGoal && low.length === 0,
    };
  });
  if (r.conv.length > 0) {
    rows.push({ target: 'conv2d a–g, all directions, vs PyTorch', goal: '≥ 1.5× on every case', ...convAgainst(torch, 'PyTorch', 1.5, 0) });
    rows.push({ target: 'conv2d a–g, all directions, vs oneDNN (direct)', goal: 'geomean ≥ 1.0×, none below 0.8×', ...convAgainst(dnnl, 'oneDNN', 0.8, 1) });
    const threeByThree = r.conv.filter((c) => isWinogradCase(c.case));
    const names = [...new Set(threeByThree.map((c) => c.case.name))].join(', ');
    if (threeByThree.length > 0) {
      rows.push({ target: `conv2d 3×3 stride 1 (${names}), all directions, vs oneDNN's automatic choice`, goal: '≥ 1.0× on every case', ...convAgainst(dnnlAuto, 'oneDNN', 1, 1, threeByThree) });
    }
  }

  // 3. Pooling against the machine's memory bandwidth.
  if (r.pool.length > 0 && r.meta.copyBandwidth !== undefined) {
    const bw = r.meta.copyBandwidth;
    const v = perThreads((t) => {
      const name = native(t);
      const rates = r.pool.map((p) => ({ name: p.case.name, gbs: p.bytes / (name ? median(p.outcomes[name]) ?? NaN : NaN) / 1e9 }));
      if (rates.some((x) => !Number.isFinite(x.gbs))) return { text: '—', met: null };
      const worst = rates.reduce((p, q) => (q.gbs < p.gbs ? q : p));
      return { text: `lowest ${fmt(worst.gbs, 1)} GB/s = ${fmt(worst.gbs / bw)}× (${worst.name})`, met: worst.gbs >= bw };
    });
    rows.push({ target: 'pooling fwd+bwd, every case', goal: `≥ memory bandwidth (${fmt(bw, 1)} GB/s, one-thread copy)`, ...v });
  }

  // 4. Training against PyTorch.
  for (const [model, goal] of [['lenet', 2.5], ['smallvgg', 2.5], ['resnet20', 1.5]] as const) {
    const row = r.train.find((t) => t.case.model === model);
    if (!row) continue;
    const v = perThreads((t) => {
      const a = native(t), b = torch(t);
      const sa = a ? median(row.outcomes[a]) : undefined, sb = b ? median(row.outcomes[b]) : undefined;
      if (sa === undefined || sb === undefined) return { text: b ? '—' : 'no PyTorch peer', met: null };
      const ips = (row.case.batch * row.case.batches) / sa;
      return { text: `${fmt(sb / sa)}× (${ips.toFixed(0)} vs ${((row.case.batch * row.case.batches) / sb).toFixed(0)} images/s)`, met: sb / sa >= goal };
    });
    // Against PyTorch's best thread count too: PyTorch is not always faster on more threads.
    const best = Math.min(...threadCounts.map((t) => { const b = torch(t); return (b ? median(row.outcomes[b]) : undefined) ?? Infinity; }));
    const mine = Math.min(...threadCounts.map((t) => { const a = native(t); return (a ? median(row.outcomes[a]) : undefined) ?? Infinity; }));
    const note = Number.isFinite(best) && Number.isFinite(mine) ? `best against best: ${fmt(best / mine)}×` : undefined;
    rows.push({ target: `training ${model} (batch ${row.case.batch}), vs PyTorch`, goal: `≥ ${goal.toFixed(1)}×`, ...v, ...(note ? { note } : {}) });
  }

  // 4b. The PyTorch peer against a plain PyTorch training loop (issue 22): a
  // peer slower than PyTorch's own loop would flatter every ratio above.
  const cc = r.pytorchCrossCheck;
  if (cc !== undefined && cc.rows.length > 0) {
    const measured: Record<string, string> = {};
    const met: Array<boolean | null> = [];
    for (const row of cc.rows) {
      if (row.peer === null) { measured[`${row.threads}t`] = `loop ${row.loop.toFixed(0)} images/s, peer not measured`; met.push(null); continue; }
      const off = row.peer / row.loop - 1;
      measured[`${row.threads}t`] = `peer ${row.peer.toFixed(0)} vs loop ${row.loop.toFixed(0)} images/s (${off >= 0 ? '+' : ''}${fmt(100 * off, 0)}%)`;
      met.push(Math.abs(off) <= 0.1);
    }
    rows.push({ target: `PyTorch peer vs a plain PyTorch loop (bench/pytorch_train_loop.py), ${cc.model} training (batch ${cc.batch})`, goal: 'within 10%', measured, met: allMet(met) });
  }

  // 5. The image pipeline against PyTorch's DataLoader, at each worker count (issue 24).
  const p = r.pipeline;
  if (p !== undefined && p.rows.length > 0) {
    const measured: Record<string, string> = {};
    const met: Array<boolean | null> = [];
    for (const row of p.rows) {
      const first = row.decode + row.epoch;
      if (typeof row.pytorch !== 'number') {
        measured[`${row.workers}t`] = 'no PyTorch peer';
        met.push(null);
        continue;
      }
      measured[`${row.workers}t`] = `${fmt(row.pytorch / first)}× first epoch, ${fmt(row.pytorch / row.epoch)}× later (${(p.images / first).toFixed(0)} vs ${(p.images / row.pytorch).toFixed(0)} images/s)`;
      met.push(row.pytorch / first >= 1);
    }
    rows.push({ target: `image pipeline (decode, crop ${p.crop}, flip, normalise), vs PyTorch DataLoader, per worker count`, goal: '≥ 1.0× (first epoch)', measured, met: allMet(met) });
    if (p.endToEnd !== undefined) {
      const frac = p.endToEnd.dataSeconds / p.endToEnd.trainSeconds;
      rows.push({ target: 'ResNet-20 epoch on the image folder: time waiting for data', goal: '< 2% of the epoch', measured: { all: `${fmt(100 * frac)}%` }, met: frac < 0.02 });
    }
  }

  // 6. Data-parallel training (issue 20).
  const d = r.distributed;
  if (d !== undefined && d.missing === undefined) {
    for (const t of d.train) {
      const x = t.processesRow / t.oneProcess;
      rows.push({ target: `training ${t.model}, ${d.processes} processes x 1 thread vs 1 process x ${d.processes} threads`, goal: '≥ 0.9×', measured: { all: `${fmt(x)}× (${t.processesRow.toFixed(0)} vs ${t.oneProcess.toFixed(0)} images/s)` }, met: x >= 0.9 });
    }
    for (const a of d.allreduce) {
      const x = a.bucketSeconds / a.allreduceSeconds;
      rows.push({ target: `gradient sums (${a.what}) vs one MPI_Allreduce of the same bytes`, goal: '≤ 1.1× its time', measured: { all: `${fmt(x)}×` }, met: x <= 1.1 });
    }
  }

  // 7. Inference (issue 22): threads that pay at batch 256, no slower at batch 1; onnxruntime at the same thread count.
  if (r.meta.maxThreads > 1) {
    const t = r.meta.maxThreads, a = native(1), b = native(t);
    for (const row of r.infer) {
      const s1 = a ? median(row.outcomes[a]) : undefined, sN = b ? median(row.outcomes[b]) : undefined;
      const x = s1 !== undefined && sN !== undefined ? s1 / sN : undefined;
      const single = row.case.batch === 1;
      rows.push({
        target: `inference ${row.case.model} (batch ${row.case.batch}), ${t} threads vs 1`, goal: single ? '≥ 1.0× (latency no worse)' : '≥ 1.7×',
        measured: { [`${t}t`]: x === undefined ? '—' : `${fmt(x)}× (${formatSeconds(s1!)} vs ${formatSeconds(sN!)})` },
        met: x === undefined ? null : x >= (single ? 1 : 1.7),
      });
    }
  }
  const ort = (t: number) => r.contenders.find((c) => c.kind === 'peer' && c.name.startsWith('onnxruntime') && c.threads === t)?.name;
  for (const row of r.infer) {
    const v = perThreads((t) => {
      const a = native(t), b = ort(t);
      const sa = a ? median(row.outcomes[a]) : undefined, sb = b ? median(row.outcomes[b]) : undefined;
      if (sa === undefined || sb === undefined) return { text: b ? '—' : 'no onnxruntime peer', met: null };
      return { text: `${fmt(sb / sa)}× (${(row.case.batch / sa).toFixed(0)} vs ${(row.case.batch / sb).toFixed(0)} images/s)`, met: sb / sa >= 1 };
    });
    rows.push({ target: `inference ${row.case.model} (batch ${row.case.batch}), vs onnxruntime`, goal: '≥ 1.0×', ...v });
  }

  // 8. Binding overhead (issue 22: the N-API floor is about 0.2 µs).
  if (Object.keys(r.tiny.outcomes).length > 0) {
    const v = perThreads((t) => {
      const name = native(t), s = name ? median(r.tiny.outcomes[name]) : undefined;
      if (s === undefined) return { text: '—', met: null };
      const us = (1e6 * s) / r.tiny.case.calls;
      return { text: `${fmt(us, 3)} µs`, met: us <= 0.3 };
    });
    rows.push({ target: 'kernel call on a 4-element tensor', goal: '≤ 0.3 µs', ...v });
  }

  // 9. The TypeScript backend against tfjs-cpu.
  const ts = r.contenders.find((c) => c.kind === 'ts')?.name;
  const tfcpu = r.contenders.find((c) => c.name === 'tfjs-cpu')?.name;
  if (ts && tfcpu) {
    const gemmRatios = r.gemm.filter((g) => g.case.m === g.case.n && (g.case.m === 256 || g.case.m === 512))
      .map((g) => ({ name: g.case.name, x: (median(g.outcomes[tfcpu]) ?? NaN) / (median(g.outcomes[ts]) ?? NaN) }));
    if (gemmRatios.length > 0) {
      const ok = gemmRatios.every((x) => x.x >= 3);
      rows.push({ target: 'TS backend GEMM 256³ and 512³ vs tfjs-cpu', goal: '≥ 3×', measured: { all: gemmRatios.map((x) => `${x.name} ${fmt(x.x, 1)}×`).join(', ') }, met: gemmRatios.some((x) => Number.isNaN(x.x)) ? null : ok });
    }
    if (r.conv.length > 0) {
      // A skipped tfjs case would have taken longer than the budget, far longer than TS took.
      const ratios = r.conv.map((c) => {
        const tsS = median(c.outcomes[ts]), tf = c.outcomes[tfcpu];
        if (tf?.kind === 'skipped' && tsS !== undefined && tsS < r.meta.budget) return { label: `${c.case.name} ${c.dir}`, x: Infinity };
        return { label: `${c.case.name} ${c.dir}`, x: (median(tf) ?? NaN) / (tsS ?? NaN) };
      });
      const known = ratios.filter((x) => Number.isFinite(x.x));
      const worst = known.reduce((p, q) => (q.x < p.x ? q : p), known[0] ?? { label: '—', x: NaN });
      rows.push({
        target: 'TS backend conv2d, every case and direction, vs tfjs-cpu', goal: 'faster (> 1×)',
        measured: { all: `lowest ${fmt(worst.x, 1)}× (${worst.label})${ratios.length > known.length ? `; ${ratios.length - known.length} case(s) where tfjs-cpu was over the time budget` : ''}` },
        met: ratios.some((x) => Number.isNaN(x.x)) ? null : ratios.every((x) => x.x > 1),
      });
    }
  }

  // 10. Threads.
  const vgg = r.train.find((t) => t.case.model === 'smallvgg');
  if (vgg && r.meta.maxThreads > 1) {
    const a = native(1), b = native(r.meta.maxThreads);
    const s1 = a ? median(vgg.outcomes[a]) : undefined, sN = b ? median(vgg.outcomes[b]) : undefined;
    const x = s1 !== undefined && sN !== undefined ? s1 / sN : undefined;
    rows.push({ target: `SmallVGG training, ${r.meta.maxThreads} threads vs 1`, goal: '≥ 1.7×', measured: { [`${r.meta.maxThreads}t`]: x === undefined ? '—' : `${fmt(x)}×` }, met: x === undefined ? null : x >= 1.7 });
  }
  return rows;
}

/** The targets as a markdown table. */
export function targetsTable(rows: TargetRow[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r.measured)))];
  const head = ['target', 'goal', ...cols.map((c) => (c === 'all' ? 'measured' : `measured ${c}`)), 'met'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const met = r.met === null ? 'n/a' : r.met ? 'yes' : '**no**';
    lines.push(`| ${[r.target, r.goal, ...cols.map((c) => r.measured[c] ?? ''), `${met}${r.note ? ` (${r.note})` : ''}`].join(' | ')} |`);
  }
  return lines.join('\n');
}
