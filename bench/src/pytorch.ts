// PyTorch as an optional bench peer, at its best: bench/pytorch_peer.py in
// one long-lived Python process per thread count (the first of `python3`,
// `/usr/bin/python3` that imports torch), driven over stdin/stdout. Each
// process gets its thread count once (OpenBLAS: all of them or one, the
// faster for each case), and an environment without OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE (this machine sets them; they cripple OpenBLAS's GEMM).
// The report says which BLAS and which OpenBLAS kernel ran.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConvCase, ConvDirection, GemmCase, ModelName, PoolCase } from './cases';
import type { Contender, PeerInfo } from './contenders';
import { LineProcess } from './line-process';
import type { Prepared } from './timing';

/** A Python script of bench/, from the sources or from the compiled bench (dist-bench/bench/src). */
export function benchScript(name: string): string | undefined {
  return [path.resolve(__dirname, '..', name), path.resolve(__dirname, '..', '..', '..', 'bench', name)].find((p) => fs.existsSync(p));
}

/** The first of `python3`, `/usr/bin/python3` that imports `module` (torch, torchvision). */
export function torchPython(module = 'torch'): string | undefined {
  return ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0);
}
/**
 * glibc malloc's settings for the PyTorch processes. By default it serves a block over its mmap
 * threshold (128 KB at start, raised only as large blocks are freed) with a fresh mapping, so a new
 * process pays a page fault per 4 KB of each activation in every step: the plain LeNet loop took
 * 115k-420k faults in 6 s and ran 3.3k-12k images/s at 1 thread, depending on how soon the
 * threshold rose; the long-lived peer, warmed by the cases before, ran 13k. With the threshold at
 * its maximum (32 MiB) and memory kept, 35k faults and 13.7k-14.9k images/s, run after run: what
 * PyTorch's CPU tuning advice (a caching allocator) buys. Both the peer and the plain loop get it.
 */
export const PEER_MALLOC = { MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024) };

/** The peer's environment: this one without the OpenBLAS overrides, `threads` for every thread pool, and PEER_MALLOC. */
export function peerEnv(threads: number): NodeJS.ProcessEnv {
  const { OPENBLAS_CORETYPE: _core, OPENBLAS_L2_SIZE: _l2, ...env } = process.env;
  return { ...env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), ...PEER_MALLOC };
}

/** bench/pytorch_peer.py: one JSON object per line each way. */
class PeerProcess {
  private readonly lines: LineProcess;

  constructor(proc: ChildProcessWithoutNullStreams) {
    this.lines = new LineProcess(proc, JSON.stringify({ unsupported: 'the PyTorch process exited' }));
  }

  async request(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    return JSON.parse(await this.lines.request(JSON.stringify(msg))) as Record<string, unknown>;
  }

  close(): void {
    this.lines.close();
  }
}

let nextId = 0;

/**
 * The cross-check of the peer: images/s of a plain PyTorch training loop
 * (bench/pytorch_train_loop.py) at `threads`, with the best known setting
 * (torch threads = the count, OpenBLAS on one thread), or why it did not run.
 */
export function plainTrainingLoop(model: ModelName, batch: number, threads: number, seconds: number): { imagesPerSecond: number } | { missing: string } {
  const script = benchScript('pytorch_train_loop.py');
  const python = torchPython();
  if (script === undefined || python === undefined) return { missing: script === undefined ? 'bench/pytorch_train_loop.py is not in this install' : 'no python3 that imports torch' };
  const r = spawnSync(python, [script, String(threads), model, String(batch), String(seconds)], {
    encoding: 'utf8', env: { ...peerEnv(threads), OPENBLAS_NUM_THREADS: '1' }, timeout: (seconds + 60) * 1000,
  });
  try {
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { imagesPerSecond?: number };
    if (typeof out.imagesPerSecond === 'number' && out.imagesPerSecond > 0) return { imagesPerSecond: out.imagesPerSecond };
  } catch { /* the message below */ }
  return { missing: `pytorch_train_loop.py failed: ${(r.stderr || String(r.error ?? r.status)).trim().split('\n').pop()}` };
}

export async function pytorchContenders(threadCounts: number[]): Promise<{ contenders: Contender[]; info: PeerInfo; close: () => void }> {
  const script = benchScript('pytorch_peer.py');
  const python = torchPython();
  if (script === undefined || python === undefined) {
    return {
      contenders: [], close: () => {},
      info: { name: 'pytorch', version: null, missing: script === undefined ? 'bench/pytorch_peer.py is not in this install' : 'no python3 that can import torch (Debian: apt-get install python3-torch)' },
    };
  }
  const peers = threadCounts.map((threads) => new PeerProcess(spawn(python, [script, String(threads)], { env: peerEnv(threads) })));
  const infos = await Promise.all(peers.map((p) => p.request({ op: 'info' })));
  const info = infos[0]!;
  const version = String(info['version'] ?? 'unknown');
  const config = String(info['config'] ?? '');
  const isa = /CPU capability usage: (\w+)/.exec(config)?.[1];
  const blas = (info['blas'] ?? {}) as { library?: string; openblas?: string | null; core?: string; warning?: string };
  const blasText = blas.openblas ? `${blas.openblas}, kernel ${blas.core}` : `BLAS ${blas.library ?? 'unknown'}: ${blas.warning ?? ''}`;
  const threadsSeen = infos.map((i) => i['threads']).join('/');
  const contenders = threadCounts.map((threads, t): Contender => {
    const peer = peers[t]!;
    const prepare = async (c: Record<string, unknown>): Promise<Prepared> => {
      const id = nextId++;
      const r = await peer.request({ op: 'prepare', id, case: c });
      if (r['unsupported'] !== undefined) return { unsupported: String(r['unsupported']) };
      return {
        runner: {
          run: async () => { await peer.request({ op: 'run', id, reps: 1 }); },
          timed: async (reps) => Number((await peer.request({ op: 'run', id, reps }))['seconds']),
        },
      };
    };
    return {
      name: `pytorch ${threads}t`, kind: 'peer' as const, threads,
      gemm: (c: GemmCase) => prepare({ kind: 'gemm', ...c }),
      conv: (c: ConvCase, dir: ConvDirection) => prepare({ kind: 'conv', shape: c.shape, dir }),
      pool: (c: PoolCase) => prepare({ kind: 'pool', shape: c.shape }),
      train: (model: ModelName, batch: number) => prepare({ kind: 'train', model, batch }),
      infer: (model: ModelName, batch: number) => prepare({ kind: 'infer', model, batch }),
      tiny: (calls: number) => prepare({ kind: 'tiny', calls }),
    };
  });
  return {
    contenders, close: () => { for (const p of peers) p.close(); },
    info: {
      name: 'pytorch',
      version: `torch ${version} (${python}${isa ? `, ATen CPU capability ${isa}` : ''}; one process per thread count (${threadsSeen} threads), ` +
        `OpenBLAS on all threads or one, whichever is faster per case, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed; glibc malloc with MALLOC_MMAP_THRESHOLD_=${PEER_MALLOC.MALLOC_MMAP_THRESHOLD_} MALLOC_TRIM_THRESHOLD_=${PEER_MALLOC.MALLOC_TRIM_THRESHOLD_}; ${blasText})`,
    },
  };
}
