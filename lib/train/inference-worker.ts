// The inference worker (see inference-session.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { setNumThreads, useBackend } from '../backend';
import { moduleFromSpec } from '../nn/registry';
import '../nn/residual';
import { Tensor } from '../tensor/tensor';
import { predict } from './loop';

const init = workerData as { spec: never; state: Record<string, { shape: number[]; data: Float32Array }>; backend: 'native' | 'js'; numThreads: number | null };
useBackend(init.backend);
if (init.backend === 'native' && init.numThreads !== null) setNumThreads(init.numThreads);
const model = moduleFromSpec(init.spec);
model.loadStateDict(Object.fromEntries(Object.entries(init.state).map(([k, t]) => [k, new Tensor(t.data, t.shape)])));
model.eval();

parentPort!.on('message', (m: { id: number; data: Float32Array; shape: number[]; batchSize: number }) => {
  try {
    const y = predict(model, new Tensor(m.data, m.shape), m.batchSize);
    parentPort!.postMessage({ id: m.id, ok: true, data: y.data, shape: [...y.shape] }, [y.data.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({ id: m.id, ok: false, name: e.name, message: e.message });
  }
});
