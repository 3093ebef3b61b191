// Runs the benchmark suite and returns every measurement as plain data.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runtimeInfo } from '../../lib/backend';
import { MNIST_INPUT, MODELS } from '../../lib/models';
import { loadNative, PACKAGE_ROOT } from '../../lib/backend/native';
import type { IsaName } from '../../lib/backend/types';
import { convFlops, MODEL_FORWARD_FLOPS, TRAIN_MODELS, poolBackwardBytes, poolBytes, suite, type ConvCase, type ConvDirection, type GemmCase, type ModelName, type OptimCase, type PoolCase } from './cases';
import { convnodeContenders, tfjsContender, type Contender, type PeerInfo } from './contenders';
import { copyBandwidth } from './bandwidth';
import { distributedBench, type DistributedResults } from './distributed';
import { pipelineBench, type PipelineResults } from './pipeline';
import { onednnContenders } from './onednn';
import { onnxruntimeContenders } from './onnxruntime';
import { plainTrainingLoop, pytorchContenders } from './pytorch';
import { waitForQuiet } from './quiet';
import { formatSeconds, timeCase, type Outcome, type Prepared, type TimingOptions } from './timing';

export interface BenchOptions {
  quick: boolean;
  /** Native ISA paths to run ('best' = the one chosen at load). */
  isas: 'best' | 'all';
  peers: boolean;
  /** Run only these sections (all when absent). */
  only?: ReadonlySet<BenchSection>;
  rounds?: number;
  budget?: number;
  log?: (line: string) => void;
}

export const BENCH_SECTIONS = ['gemm', 'conv', 'pool', 'optim', 'train', 'infer', 'tiny', 'data', 'distributed'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

type Row<C> = { case: C; outcomes: Record<string, Outcome> };

export interface BenchResults {
  meta: {
    date: string; cpu: string; cpuFlags: string[]; cores: number; node: string; convnode: string; platform: string;
    mode: 'full' | 'quick'; rounds: number; budget: number; nativeIsa: IsaName | null; maxThreads: number;
    peers: PeerInfo[]; gemmKernel: string | null;
    /** GB/s of a one-thread copy far larger than the caches (read + write). */
    copyBandwidth?: number;
  };
  contenders: Array<{ name: string; kind: string; isa?: IsaName; threads?: number }>;
  peak: Array<{ isa: IsaName; threads: number; gflops: number }>;
  gemm: Array<Row<GemmCase> & { flops: number }>;
  conv: Array<Row<ConvCase> & { dir: ConvDirection; flops: number }>;
  pool: Array<Row<PoolCase> & { bytes: number }>;
  /** Max pooling's backward pass alone. */
  poolBackward: Array<Row<PoolCase> & { bytes: number }>;
  optim: Array<Row<OptimCase> & { parameters: number }>;
  train: Array<Row<{ model: ModelName; batch: number; batches: number }> & { flops: number }>;
  infer: Array<Row<{ model: ModelName; batch: number }> & { flops: number }>;
  tiny: Row<{ calls: number }>;
  /** The image pipeline (pipeline.ts); absent when the data section was not run. */
  pipeline?: PipelineResults;
  /** Data-parallel training under mpirun (distributed.ts); absent when the section was not run. */
  distributed?: DistributedResults;
  /** The PyTorch peer's LeNet training against a plain PyTorch loop at each thread count; absent without PyTorch or the train section. */
  pytorchCrossCheck?: { model: ModelName; batch: number; rows: Array<{ threads: number; loop: number; peer: number | null }> };
}

function cpuModel(): { model: string; flags: string[] } {
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
    const flags = (/^(?:flags|Features)\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(' ').filter((f) => /^(avx512f|avx512bw|avx512vl|avx512_bf16|avx512_fp16|amx_tile|avx2|fma|avx|sse4_2|asimd|fphp|sve)$/.test(f));
    return { model, flags };
  } catch {
    return { model: os.cpus()[0]?.model ?? 'unknown', flags: [] };
  }
}

/** A peer that does not offer a case. */
const notMeasured = async (): Promise<Prepared> => ({ unsupported: 'not measured for this peer' });

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const log = o.log ?? (() => {});
  const s = suite(o.quick);
  // Quick mode: one timed run per case, on reduced sizes, after a warm-up run.
  const timing: TimingOptions = { rounds: o.rounds ?? (o.quick ? 1 : 5), budget: o.budget ?? (o.quick ? 0.5 : 10), warmup: true, warmupSeconds: o.quick ? 0 : 0.3, minSample: o.quick ? 0.005 : 0.05, waitForIdle: !o.quick };
  const load = loadNative();
  const info = runtimeInfo().native;
  const maxThreads = info?.maxThreads ?? 1;
  /** The thread counts every contender runs at: 1 and all. */
  const threadCounts = maxThreads > 1 ? [1, maxThreads] : [1];
  const isas: IsaName[] = info === null ? [] : o.isas === 'all' ? info.availableIsas : [info.isa];

  // A short probe before each GEMM sample (report: % of peak).
  const probe = load.ok ? (isa: IsaName, threads: number) => load.addon.probePeak(isa, threads, o.quick ? 0.003 : 0.03) : undefined;
  const contenders: Contender[] = convnodeContenders(isas, maxThreads, probe);
  const peers: PeerInfo[] = [];
  let closePeers = () => {};
  if (o.peers) {
    const torch = await pytorchContenders(threadCounts);
    peers.push(torch.info);
    contenders.push(...torch.contenders);
    const dnnl = await onednnContenders(threadCounts);
    peers.push(dnnl.info);
    contenders.push(...dnnl.contenders);
    closePeers = () => { torch.close(); dnnl.close(); };
    const ort = await onnxruntimeContenders(threadCounts);
    peers.push(ort.info);
    contenders.push(...ort.contenders);
    for (const b of ['cpu', 'wasm'] as const) {
      const r = await tfjsContender(b);
      peers.push(r.info);
      if ('contender' in r) contenders.push(r.contender);
    }
  }
  try {
    const { model, flags } = cpuModel();
    const results: BenchResults = {
      meta: {
        date: new Date().toISOString(), cpu: model, cpuFlags: flags, cores: os.cpus().length, node: process.versions.node,
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        convnode: (require(path.join(PACKAGE_ROOT, 'package.json')) as { version: string }).version, platform: `${process.platform}-${process.arch}`,
        mode: o.quick ? 'quick' : 'full', rounds: timing.rounds, budget: timing.budget, nativeIsa: info?.isa ?? null, maxThreads,
        peers, gemmKernel: info?.gemmKernel ?? null,
      },
      contenders: contenders.map((c) => ({ name: c.name, kind: c.kind, ...(c.isa ? { isa: c.isa } : {}), ...(c.threads ? { threads: c.threads } : {}) })),
      peak: [], gemm: [], conv: [], pool: [], poolBackward: [], optim: [], train: [], infer: [], tiny: { case: { calls: s.tinyCalls }, outcomes: {} },
    };

    if (load.ok) {
      for (const isa of info!.availableIsas) {
        for (const threads of threadCounts) {
          const gflops = load.addon.probePeak(isa, threads, o.quick ? 0.05 : 0.5);
          results.peak.push({ isa, threads, gflops });
          log(`peak ${isa} ${threads}t: ${gflops.toFixed(1)} GFLOP/s`);
        }
      }
    }

    // Each contender's rate (GFLOP/s) on the latest, largest case of each kind:
    // cases come in growing size, so it predicts the next one best.
    const rates = new Map<string, number>();
    const rate = (c: Contender, kind: string) => rates.get(`${c.name}|${kind}`);
    const estimate = (c: Contender, kind: string, flops: number): number | undefined => {
      if (kind === 'train' || kind === 'infer') {
        // A model pass costs what its convolutions cost in each direction it runs.
        const dirs = kind === 'train' ? ['forward', 'backwardData', 'backwardWeight'] : ['forward'];
        const rs = dirs.map((d) => rate(c, `conv:${d}`));
        if (rs.some((r) => r === undefined)) {
          // Without the conv rows (--only train): its rate on the previous,
          // smaller model (tfjs-cpu's LeNet step predicts its SmallVGG step,
          // which otherwise ran for 3.7 minutes against a 10 s budget).
          const own = rate(c, kind);
          return own === undefined ? undefined : flops / (own * 1e9);
        }
        return rs.reduce((t, r) => t! + flops / dirs.length / (r! * 1e9), 0);
      }
      const r = rate(c, kind);
      return r === undefined ? undefined : flops / (r * 1e9);
    };
    const learn = (kind: string, flops: number, outcomes: Record<string, Outcome>) => {
      if (flops === 0) return;
      for (const [name, out] of Object.entries(outcomes)) {
        if (out.kind === 'measured') rates.set(`${name}|${kind}`, flops / out.m.median / 1e9);
      }
    };
    const measure = async (label: string, kind: string, flops: number, prepare: (c: Contender) => Promise<Prepared>) => {
      const outcomes = await timeCase(contenders.map((c) => ({ name: c.name, prepare: () => prepare(c), estimate: estimate(c, kind, flops) })), timing);
      learn(kind, flops, outcomes);
      log(`${label}: ${Object.entries(outcomes).map(([n, out]) => `${n} ${out.kind === 'measured' ? formatSeconds(out.m.median) : out.kind}`).join(', ')}`);
      return outcomes;
    };

    const wanted = (section: BenchSection) => o.only === undefined || o.only.has(section);
    if (wanted('pool')) {
      results.meta.copyBandwidth = copyBandwidth(o.quick);
      log(`memory bandwidth (one-thread copy): ${results.meta.copyBandwidth.toFixed(1)} GB/s`);
    }
    for (const c of wanted('gemm') ? s.gemm : []) {
      const flops = 2 * c.m * c.n * c.k;
      results.gemm.push({ case: c, flops, outcomes: await measure(`gemm ${c.name}`, 'gemm', flops, (k) => k.gemm(c)) });
    }
    for (const c of wanted('conv') ? s.conv : []) {
      const flops = convFlops(c.shape);
      for (const dir of ['forward', 'backwardData', 'backwardWeight'] as const) {
        results.conv.push({ case: c, dir, flops, outcomes: await measure(`conv ${c.name} ${dir}`, `conv:${dir}`, flops, (k) => k.conv(c, dir)) });
      }
    }
    for (const c of wanted('pool') ? s.pool : []) {
      results.pool.push({ case: c, bytes: poolBytes(c.shape), outcomes: await measure(`pool ${c.name}`, 'pool', 0, (k) => k.pool(c)) });
    }
    for (const c of wanted('pool') ? s.pool.filter((p) => p.shape.mode === 'max') : []) {
      results.poolBackward.push({
        case: c, bytes: poolBackwardBytes(c.shape),
        outcomes: await measure(`pool backward ${c.name}`, 'poolBackward', 0, (k) => k.poolBackward?.(c) ?? notMeasured()),
      });
    }
    for (const c of wanted('optim') ? s.optim : []) {
      results.optim.push({
        case: c, parameters: MODELS[c.model].build(MNIST_INPUT).parameters().reduce((n, p) => n + p.size, 0),
        outcomes: await measure(`optim ${c.name}`, 'optim', 0, (k) => k.optim?.(c) ?? notMeasured()),
      });
    }
    for (const m of wanted('train') ? TRAIN_MODELS : []) {
      const flops = 3 * MODEL_FORWARD_FLOPS[m] * s.trainBatch * s.trainBatches;
      results.train.push({
        case: { model: m, batch: s.trainBatch, batches: s.trainBatches }, flops,
        outcomes: await measure(`train ${m}`, 'train', flops, (k) => k.train(m, s.trainBatch, s.trainBatches)),
      });
    }
    const torchRow = results.train.find((t) => t.case.model === 'lenet');
    const torchThreads = contenders.filter((c) => c.name.startsWith('pytorch ')).map((c) => c.threads ?? 1);
    if (torchRow !== undefined && torchThreads.length > 0) {
      const rows: NonNullable<BenchResults['pytorchCrossCheck']>['rows'] = [];
      for (const threads of torchThreads) {
        if (!o.quick) await waitForQuiet(); // the peers' workers may still be spinning
        const loop = plainTrainingLoop('lenet', s.trainBatch, threads, o.quick ? 1 : 6);
        if ('missing' in loop) { log(`pytorch cross-check: ${loop.missing}`); continue; }
        const out = torchRow.outcomes[`pytorch ${threads}t`];
        const peer = out?.kind === 'measured' ? s.trainBatch / out.m.median : null;
        rows.push({ threads, loop: loop.imagesPerSecond, peer });
        log(`pytorch cross-check lenet ${threads}t: plain loop ${loop.imagesPerSecond.toFixed(0)} images/s, peer ${peer?.toFixed(0) ?? '—'}`);
      }
      results.pytorchCrossCheck = { model: 'lenet', batch: s.trainBatch, rows };
    }
    for (const batch of wanted('infer') ? s.inferBatches : []) {
      for (const m of ['lenet', 'smallvgg'] as const) {
        const flops = MODEL_FORWARD_FLOPS[m] * batch;
        results.infer.push({ case: { model: m, batch }, flops, outcomes: await measure(`infer ${m} batch ${batch}`, 'infer', flops, (k) => k.infer(m, batch)) });
      }
    }
    if (wanted('tiny')) results.tiny.outcomes = await measure('tiny call', 'tiny', 0, (k) => k.tiny(s.tinyCalls));
    if (wanted('data') && load.ok) results.pipeline = await pipelineBench(o.quick, maxThreads, o.peers, log);
    if (wanted('distributed') && load.ok) results.distributed = distributedBench(o.quick, maxThreads, log);
    return results;
  } finally {
    // Also when a case throws: a live peer process would keep this one from exiting.
    closePeers();
    // Leave the addon on the ISA path and thread count it had before the run.
    if (load.ok && info !== null) {
      load.addon.setIsa(info.isa);
      load.addon.setNumThreads(info.numThreads);
    }
  }
}
