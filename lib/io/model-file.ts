// Saving and loading a whole model: the weights in safetensors, and in its
// metadata the architecture (the module spec) and what predict needs (input
// shape, normalisation, class names). `.json` beside it repeats the
// architecture for people and tools.
import * as fs from 'node:fs';
import { Module, type LayerSpec } from '../nn/module';
import { moduleFromSpec } from '../nn/registry';
import { Tensor } from '../tensor/tensor';
import { writeFileAtomic } from './atomic';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors';

export interface ModelInfo {
  inputShape: [number, number, number];
  mean: number;
  std: number;
  classNames?: string[];
}

export interface ModelFile {
  format: 'convnode-model';
  version: 1;
  spec: LayerSpec;
  info: ModelInfo;
}

export function saveModel(model: Module, file: string, info: ModelInfo): void {
  const tensors = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: t.data }]));
  const description: ModelFile = { format: 'convnode-model', version: 1, spec: model.spec(), info };
  writeFileAtomic(file, encodeSafetensors(tensors, { convnode: JSON.stringify(description) }));
  writeFileAtomic(file.replace(/\.safetensors$/, '') + '.json', JSON.stringify(description, null, 2) + '\n');
}

export function loadModel(file: string): { model: Module; info: ModelInfo } {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), file);
  let description: ModelFile;
  try {
    description = JSON.parse(metadata['convnode'] ?? 'null') as ModelFile;
  } catch {
    throw new SafetensorsError(file, 'the convnode metadata is not valid JSON');
  }
  if (description === null || description.format !== 'convnode-model') {
    throw new SafetensorsError(file, 'no convnode architecture in the metadata: load its weights into a model you build with loadWeights()');
  }
  const model = moduleFromSpec(description.spec);
  model.loadStateDict(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, new Tensor(t.data, t.shape)])));
  model.eval();
  return { model, info: description.info };
}

/** Loads safetensors weights (from convnode or PyTorch) into an existing model. */
export function loadWeights(model: Module, file: string, options: { strict?: boolean } = {}) {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const { tensors } = decodeSafetensors(fs.readFileSync(file), file);
  return model.loadStateDict(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, new Tensor(t.data, t.shape)])), options);
}

/** Writes only the weights (for PyTorch's safetensors.torch.load_file). */
export function saveWeights(model: Module, file: string): void {
  const tensors = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: t.data }]));
  writeFileAtomic(file, encodeSafetensors(tensors));
}
