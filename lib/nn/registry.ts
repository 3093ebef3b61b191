// Rebuilding a module from its JSON spec. Every built-in layer is
// registered; registerLayer() adds a custom one so that models using it can
// be saved, loaded and trained in a worker thread.
import * as L from './layers';
import { Sequential } from './sequential';
import { Module, type LayerSpec } from './module';

type Factory = (args: Record<string, unknown>, children: Module[]) => Module;
/** How many floats (parameters and buffers) a layer of these args holds, given its children's totals. */
type Elements = (args: Record<string, unknown>, children: number[]) => number;

const factories = new Map<string, Factory>();
const elementCounts = new Map<string, Elements>();

/**
 * Makes `type` rebuildable from a spec. `elements`, when given, lets a
 * loader check a file's architecture against its weights before building
 * anything (specElements).
 */
export function registerLayer(type: string, factory: Factory, options: { elements?: Elements } = {}): void {
  factories.set(type, factory);
  if (options.elements !== undefined) elementCounts.set(type, options.elements);
  else elementCounts.delete(type);
}

/**
 * The floats a spec's model would hold, computed without building it: a
 * model file whose architecture needs more than its weights hold is refused
 * before a byte is allocated. null when some layer does not say (a custom
 * layer registered without `elements`).
 */
export function specElements(spec: LayerSpec): number | null {
  checkSpec(spec);
  const count = elementCounts.get(spec.type);
  if (count === undefined) return null;
  const children = (spec.children ?? []).map(specElements);
  if (children.some((c) => c === null)) return null;
  const n = count(spec.args ?? {}, children as number[]);
  return Number.isFinite(n) && n >= 0 ? n : Infinity;
}

function checkSpec(spec: LayerSpec): void {
  if (typeof spec !== 'object' || spec === null || typeof spec.type !== 'string') {
    throw new TypeError(`moduleFromSpec: expected an object with a string 'type', got ${JSON.stringify(spec)}`);
  }
  if (spec.children !== undefined && !Array.isArray(spec.children))
    throw new TypeError(`moduleFromSpec: '${spec.type}'.children must be an Array of specs, got ${JSON.stringify(spec.children)}`);
  if (spec.args !== undefined && (typeof spec.args !== 'object' || spec.args === null || Array.isArray(spec.args)))
    throw new TypeError(`moduleFromSpec: '${spec.type}'.args must be an object, got ${JSON.stringify(spec.args)}`);
}

export function moduleFromSpec(spec: LayerSpec): Module {
  checkSpec(spec);
  const factory = factories.get(spec.type);
  if (factory === undefined) {
    throw new RangeError(`moduleFromSpec: unknown layer type '${spec.type}' (known: ${[...factories.keys()].sort().join(', ')}; add others with registerLayer)`);
  }
  return factory(spec.args ?? {}, (spec.children ?? []).map(moduleFromSpec));
}

type A = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const area = (k: unknown) => (Array.isArray(k) ? Number(k[0]) * Number(k[1]) : Number(k) * Number(k));
registerLayer('Conv2d', ({ inChannels, outChannels, kernelSize, ...config }: A) => new L.Conv2d(inChannels, outChannels, kernelSize, config), {
  elements: (a: A) => (a.inChannels / (a.groups ?? 1)) * a.outChannels * area(a.kernelSize) + (a.bias === false ? 0 : a.outChannels),
});
registerLayer('Linear', ({ inFeatures, outFeatures, ...config }: A) => new L.Linear(inFeatures, outFeatures, config), {
  elements: (a: A) => a.inFeatures * a.outFeatures + (a.bias === false ? 0 : a.outFeatures),
});
registerLayer('MaxPool2d', ({ kernelSize, ...config }: A) => new L.MaxPool2d(kernelSize, config));
registerLayer('AvgPool2d', ({ kernelSize, ...config }: A) => new L.AvgPool2d(kernelSize, config));
registerLayer('AdaptiveAvgPool2d', (a: A) => new L.AdaptiveAvgPool2d(a.outputSize));
registerLayer('Flatten', () => new L.Flatten());
registerLayer('ReLU', () => new L.ReLU());
registerLayer('LeakyReLU', (a: A) => new L.LeakyReLU(a.negativeSlope));
registerLayer('Tanh', () => new L.Tanh());
registerLayer('Sigmoid', () => new L.Sigmoid());
registerLayer('HardTanh', (a: A) => new L.HardTanh(a.min, a.max));
registerLayer('Identity', () => new L.Identity());
registerLayer('Softmax', () => new L.Softmax());
registerLayer('LogSoftmax', () => new L.LogSoftmax());
registerLayer('Dropout', (a: A) => new L.Dropout(a.p));
registerLayer('Dropout2d', (a: A) => new L.Dropout2d(a.p));
registerLayer('BatchNorm2d', (a: A) => new L.BatchNorm2d(a.numFeatures, a.eps, a.momentum), { elements: (a: A) => 4 * a.numFeatures + 1 });
registerLayer('PReLU', (a: A) => new L.PReLU(a.numParameters, a.init), { elements: (a: A) => a.numParameters });
registerLayer('Sequential', (_a, children) => new Sequential(...children), { elements: (_a, children) => children.reduce((t, c) => t + c, 0) });
// Layers without parameters or buffers.
for (const type of ['MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'Flatten', 'ReLU', 'LeakyReLU', 'Tanh', 'Sigmoid', 'HardTanh', 'Identity', 'Softmax', 'LogSoftmax', 'Dropout', 'Dropout2d'])
  elementCounts.set(type, () => 0);
