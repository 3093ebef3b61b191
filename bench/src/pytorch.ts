// PyTorch as an optional bench peer: bench/pytorch_peer.py in a long-lived
// Python process (the first of `python3`, `/usr/bin/python3` that imports
// torch), driven over stdin/stdout. Tuned as the issue asks: OpenBLAS told
// its core type (Debian's does not recognise this CPU and falls back to SSE3)
// and kept to one thread, torch.set_num_threads per run.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { ConvCase, ConvDirection, GemmCase, ModelName, PoolCase } from './cases';
import type { Contender, PeerInfo } from './contenders';
import type { Prepared } from './timing';

const SCRIPT_CANDIDATES = [path.resolve(__dirname, '..', 'pytorch_peer.py'), path.resolve(__dirname, '..', '..', '..', 'bench', 'pytorch_peer.py')];
const ENV = { OPENBLAS_CORETYPE: 'SkylakeX', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };

class PeerProcess {
  private readonly replies: Array<(r: Record<string, unknown>) => void> = [];

  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: proc.stdout }).on('line', (line) => this.replies.shift()?.(JSON.parse(line) as Record<string, unknown>));
    proc.on('exit', () => { for (const r of this.replies.splice(0)) r({ unsupported: 'the PyTorch process exited' }); });
  }

  request(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.proc.stdin.write(JSON.stringify(msg) + '\n');
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

let nextId = 0;

export async function pytorchContenders(threadCounts: number[]): Promise<{ contenders: Contender[]; info: PeerInfo; close: () => void }> {
  const script = SCRIPT_CANDIDATES.find((p) => fs.existsSync(p));
  const python = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (script === undefined || python === undefined) {
    return {
      contenders: [], close: () => {},
      info: { name: 'pytorch', version: null, missing: script === undefined ? 'bench/pytorch_peer.py is not in this install' : 'no python3 that can import torch (Debian: apt-get install python3-torch)' },
    };
  }
  const peer = new PeerProcess(spawn(python, [script], { env: { ...process.env, ...ENV } }));
  const info = await peer.request({ op: 'info' });
  const version = String(info['version'] ?? 'unknown');
  const config = String(info['config'] ?? '');
  const isa = /CPU capability usage: (\w+)/.exec(config)?.[1];
  const contenders = threadCounts.map((threads): Contender => {
    const prepare = async (c: Record<string, unknown>): Promise<Prepared> => {
      const id = nextId++;
      const r = await peer.request({ op: 'prepare', id, case: c });
      if (r['unsupported'] !== undefined) return { unsupported: String(r['unsupported']) };
      return {
        runner: {
          run: async () => { await peer.request({ op: 'run', id, threads, reps: 1 }); },
          timed: async (reps) => Number((await peer.request({ op: 'run', id, threads, reps }))['seconds']),
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
    contenders, close: () => peer.close(),
    info: {
      name: 'pytorch', version: `torch ${version} (${python}${isa ? `, ATen CPU capability ${isa}` : ''}; Debian's build: ATen compiled for AVX2, convolutions through oneDNN; OPENBLAS_CORETYPE=SkylakeX, OPENBLAS_NUM_THREADS=1, torch.set_num_threads per contender)`,
    },
  };
}
