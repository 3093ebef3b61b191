// The inference worker (see session.ts): one model, answering requests in order.
import { parentPort, workerData } from 'node:worker_threads';
import { Tensor } from '../tensor/tensor';
import { acceptJob } from '../worker/host';
import { restoreModel, type ModelSnapshot } from '../worker/model-snapshot';
import { predict } from './predict';

export interface InferenceRequest { id: number; data: Float32Array; shape: number[]; batchSize: number }
export type InferenceReply = { id: number; ok: true; data: Float32Array; shape: number[] } | { id: number; ok: false; name: string; message: string };

if (parentPort !== null) {
  const port = parentPort;
  const model = restoreModel(acceptJob<ModelSnapshot>(workerData));
  model.eval();
  port.on('message', (m: InferenceRequest) => {
    let reply: InferenceReply;
    try {
      const y = predict(model, new Tensor(m.data, m.shape), m.batchSize);
      reply = { id: m.id, ok: true, data: y.data, shape: [...y.shape] };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      reply = { id: m.id, ok: false, name: e.name, message: e.message };
    }
    port.postMessage(reply, reply.ok ? [reply.data.buffer as ArrayBuffer] : []);
  });
}
