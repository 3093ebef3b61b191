// The bench's own ONNX export, so onnxruntime-node runs exactly the models
// convnode runs (same weights, NCHW input, logits out). It covers the layers
// of the bench's inference models and single-op graphs (a convolution, a
// matrix product, a ReLU); anything else is refused by name, never guessed.
// The protobuf encoding comes from onnx-proto (ONNX's own schema compiled
// for protobufjs), a dev dependency of the bench.
import { onnx } from 'onnx-proto';
import { AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU } from '../../lib/nn/layers';
import { pair } from '../../lib/autograd/ops/pair';
import type { Module } from '../../lib/nn/module';
import { Sequential } from '../../lib/nn/sequential';

/** Opset 13: every operator used here has had its present form since then. */
const OPSET = 13;

const { AttributeType } = onnx.AttributeProto;

function ints(name: string, values: number[]): onnx.IAttributeProto {
  return { name, type: AttributeType.INTS, ints: values };
}
function int(name: string, value: number): onnx.IAttributeProto {
  return { name, type: AttributeType.INT, i: value };
}
function float(name: string, value: number): onnx.IAttributeProto {
  return { name, type: AttributeType.FLOAT, f: value };
}

function initializer(name: string, dims: readonly number[], data: Float32Array): onnx.ITensorProto {
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() };
}

function valueInfo(name: string, dims: Array<number | string>): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** A graph under construction: nodes appended in order, each reading the previous output. */
class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private count = 0;

  constructor(public current: string) {}

  /** Appends `op` on the current value (plus `params`), which becomes the new current value. */
  add(op: string, params: Array<{ dims: readonly number[]; data: Float32Array }>, attribute: onnx.IAttributeProto[] = []): void {
    const id = this.count++;
    const inputs = [this.current];
    params.forEach((p, j) => {
      const name = `n${id}_p${j}`;
      this.initializers.push(initializer(name, p.dims, p.data));
      inputs.push(name);
    });
    const output = `n${id}_${op.toLowerCase()}`;
    this.nodes.push({ name: `n${id}`, opType: op, input: inputs, output: [output], attribute });
    this.current = output;
  }
}

function addLayer(g: GraphBuilder, m: Module): void {
  if (m instanceof Conv2d) {
    const { stride, padding, dilation, groups } = m.options;
    const params = [{ dims: m.weight.shape, data: m.weight.data }, ...(m.bias ? [{ dims: m.bias.shape, data: m.bias.data }] : [])];
    g.add('Conv', params, [
      ints('kernel_shape', m.weight.shape.slice(2) as number[]), ints('strides', stride), ints('pads', [padding[0], padding[1], padding[0], padding[1]]),
      ints('dilations', dilation), int('group', groups),
    ]);
  } else if (m instanceof Linear) {
    const params = [{ dims: m.weight.shape, data: m.weight.data }, ...(m.bias ? [{ dims: m.bias.shape, data: m.bias.data }] : [])];
    g.add('Gemm', params, [int('transB', 1)]);
  } else if (m instanceof MaxPool2d || m instanceof AvgPool2d) {
    // PyTorch's default stride is the window.
    const kernel = pair(m.kernelSize, 1, 'onnx-export: kernelSize'), stride = pair(m.config.stride ?? m.kernelSize, 1, 'onnx-export: stride');
    const pad = pair(m.config.padding, 0, 'onnx-export: padding');
    const attrs = [
      ints('kernel_shape', kernel), ints('strides', stride), ints('pads', [pad[0], pad[1], pad[0], pad[1]]),
      int('ceil_mode', m.config.ceilMode ? 1 : 0),
    ];
    if (m instanceof AvgPool2d) attrs.push(int('count_include_pad', m.config.countIncludePad === false ? 0 : 1));
    g.add(m instanceof MaxPool2d ? 'MaxPool' : 'AveragePool', [], attrs);
  } else if (m instanceof BatchNorm2d) {
    const [scale, bias, mean, variance] = [m.weight, m.bias, m.runningMean, m.runningVar];
    g.add('BatchNormalization', [scale, bias, mean, variance].map((t) => ({ dims: t.shape, data: t.data })), [float('epsilon', m.eps)]);
  } else if (m instanceof ReLU) {
    g.add('Relu', []);
  } else if (m instanceof Flatten) {
    g.add('Flatten', [], [int('axis', 1)]);
  } else {
    throw new Error(`onnx-export: no ONNX mapping for layer ${m.spec().type}`);
  }
}

function encode(g: GraphBuilder, input: onnx.IValueInfoProto, outputDims: Array<number | string>): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'convnode-bench',
    graph: { name: 'convnode', node: g.nodes, initializer: g.initializers, input: [input], output: [valueInfo(g.current, outputDims)] },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** A Sequential model as ONNX bytes: input `x` of [batch, ...inputShape], output the logits of [batch, classes]. */
export function sequentialToOnnx(model: Sequential, inputShape: readonly number[], classes: number): Uint8Array {
  const g = new GraphBuilder('x');
  for (const layer of model.layers) addLayer(g, layer);
  return encode(g, valueInfo('x', ['batch', ...inputShape]), ['batch', classes]);
}

/** One operator on one input `x` (a Conv or a MatMul with a constant second operand, a Relu). */
export function singleOpOnnx(
  op: 'Conv' | 'MatMul' | 'Relu', inputDims: number[], outputDims: number[],
  params: Array<{ dims: readonly number[]; data: Float32Array }>, attribute: onnx.IAttributeProto[] = [],
): Uint8Array {
  const g = new GraphBuilder('x');
  g.add(op, params, attribute);
  return encode(g, valueInfo('x', inputDims), outputDims);
}

export const onnxAttributes = { ints, int };
