// oneDNN's own convolution as a bench peer, beside PyTorch: bench/onednn_conv.cc,
// compiled here with g++ where libdnnl-dev is installed (Debian: apt-get
// install libdnnl-dev), one long-lived process per thread count
// (OMP_NUM_THREADS = the count), on the blocked layouts it picks for
// itself, no reorders in the timed region. Only the conv rows. Two
// contenders per thread count: its direct algorithm on every case
// ("onednn Nt"), and its automatic choice (Winograd where it takes it) on
// the 3x3 stride-1 cases ("onednn-auto Nt"), the anchor for convnode's
// Winograd path.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isWinogradCase, type ConvCase, type ConvDirection } from './cases';
import type { Contender, PeerInfo } from './contenders';
import { LineProcess } from './line-process';
import { benchScript } from './pytorch';
import type { Prepared } from './timing';

const HEADER = '/usr/include/dnnl.hpp';

/** The harness binary, built when missing or older than its source; or why there is none. */
function harness(): { binary: string } | { missing: string } {
  const source = benchScript('onednn_conv.cc');
  if (source === undefined) return { missing: 'bench/onednn_conv.cc is not in this install' };
  if (!fs.existsSync(HEADER)) return { missing: `no oneDNN headers (${HEADER}); Debian: apt-get install libdnnl-dev` };
  const dir = path.join(os.tmpdir(), 'convnode-bench-onednn');
  const binary = path.join(dir, 'onednn_conv');
  if (!fs.existsSync(binary) || fs.statSync(binary).mtimeMs < fs.statSync(source).mtimeMs) {
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync('g++', ['-O2', '-std=c++17', source, '-ldnnl', '-fopenmp', '-o', binary], { encoding: 'utf8' });
    if (r.status !== 0) return { missing: `building ${source} failed: ${(r.stderr || String(r.error)).split('\n')[0]}` };
  }
  return { binary };
}

let nextId = 0;

export async function onednnContenders(threadCounts: number[]): Promise<{ contenders: Contender[]; info: PeerInfo; close: () => void }> {
  const built = harness();
  if ('missing' in built) return { contenders: [], close: () => {}, info: { name: 'onednn', version: null, missing: built.missing } };
  const procs = threadCounts.map((t) => new LineProcess(spawn(built.binary, [], { env: { ...process.env, OMP_NUM_THREADS: String(t) } }), 'unsupported the oneDNN process exited'));
  const infos = await Promise.all(procs.map((p) => p.request('info')));
  const info = infos[0]!;
  const field = (name: string) => new RegExp(`${name} (\\S+)`).exec(info)?.[1] ?? '?';
  const unsupported = async (why: string): Promise<Prepared> => ({ unsupported: why });
  const contender = (threads: number, t: number, algo: 'direct' | 'auto'): Contender => {
    const proc = procs[t]!;
    const conv = async (c: ConvCase, dir: ConvDirection): Promise<Prepared> => {
      const s = c.shape, id = nextId++;
      if (algo === 'auto' && !isWinogradCase(c)) return { unsupported: 'the automatic choice is run on 3x3 stride-1 cases only' };
      const reply = await proc.request(`prepare ${id} ${dir} ${algo} ${[s.n, s.c, s.h, s.w, s.k, s.kh, s.kw, s.strideH, s.strideW, s.padH, s.padW].join(' ')}`);
      if (!reply.startsWith('ok')) return { unsupported: reply.replace(/^unsupported /, '') };
      const run = async (reps: number) => {
        const seconds = Number(await proc.request(`run ${id} ${reps}`));
        if (!Number.isFinite(seconds)) throw new Error(`onednn ${threads}t: run ${id} answered no time`);
        return seconds;
      };
      return { runner: { run: async () => { await run(1); }, timed: run } };
    };
    return {
      name: `${algo === 'direct' ? 'onednn' : 'onednn-auto'} ${threads}t`, kind: 'peer', threads,
      gemm: () => unsupported('convolutions only'),
      conv,
      pool: () => unsupported('convolutions only'),
      train: () => unsupported('convolutions only'),
      infer: () => unsupported('convolutions only'),
      tiny: () => unsupported('convolutions only'),
    };
  };
  const contenders = [
    ...threadCounts.map((threads, t) => contender(threads, t, 'direct')),
    ...threadCounts.map((threads, t) => contender(threads, t, 'auto')),
  ];
  return {
    contenders, close: () => { for (const p of procs) p.close(); },
    info: {
      name: 'onednn',
      version: `oneDNN ${field('version')} (${built.binary}: its direct convolution ("onednn"), and its automatic choice on the 3x3 stride-1 cases ("onednn-auto"), on the layouts it picks (format any), no reorders timed; ` +
        `ISA ${field('isa')}, runtime ${field('runtime')}, one process per thread count: ${infos.map((i) => /threads (\d+)/.exec(i)?.[1]).join('/')} threads)`,
    },
  };
}
