// softmaxCrossEntropyForward({rows, cols}, logits, target, probs) -> mean loss
// softmaxCrossEntropyBackward({rows, cols}, probs, target, scale, dlogits)
//   target: Int32Array of rows class indices, or Float32Array rows*cols
//   distributions (one-hot or soft).
// mseForward(pred, target) -> sum of squared differences
// mseBackward(pred, target, scale, dpred): dpred = 2*scale*(pred - target)
#include "args.h"
#include "entry.h"
#include "shapes.h"

namespace convnode::napi {
namespace {

struct Target {
  ClassTarget kernel;
  F32 view;  // the target's memory, for overlap checks
};

Target read_target(const Call& call, size_t i, int64_t rows, int64_t cols) {
  Napi::Value v = call.info()[i];
  Target t;
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    Napi::Int32Array arr = v.As<Napi::Int32Array>();
    if (arr.ArrayBuffer().IsDetached()) call.type_error("target is backed by a detached ArrayBuffer");
    const int64_t len = static_cast<int64_t>(arr.ElementLength());
    CONVNODE_REQUIRE(call, len == rows, "target (class indices) must have " + std::to_string(rows) +
                                  " elements (rows = " + std::to_string(rows) + "), got " +
                                  std::to_string(len));
    const int32_t* labels = arr.Data();
    for (int64_t r = 0; r < rows; ++r) {
      if (labels[r] < 0 || labels[r] >= cols)
        call.range_error("target[" + std::to_string(r) + "] must be a class index in [0, " +
                         std::to_string(cols) + "), got " + std::to_string(labels[r]));
    }
    t.kernel.labels = arr.Data();
    // Overlap checks compare byte ranges: view the labels as floats.
    t.view = F32{reinterpret_cast<float*>(arr.Data()), len, "target"};
    return t;
  }
  if (!(v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array))
    call.type_error("target must be an Int32Array of class indices or a Float32Array of "
                    "distributions, got " + call.describe(v));
  t.view = call.f32(i, "target", call.extent("target", {"rows", "cols"}, {rows, cols}));
  t.kernel.probs = t.view.data;
  return t;
}

Napi::Value sce_fwd(const Napi::CallbackInfo& info) {
  Call call(info, "softmaxCrossEntropyForward");
  int64_t rows, cols;
  read_rows_cols(call, 0, &rows, &cols);
  const Extent e = call.extent("logits", {"rows", "cols"}, {rows, cols});
  F32 logits = call.f32(1, "logits", e);
  Target target = read_target(call, 2, rows, cols);
  F32 probs = call.f32(3, "probs", e);
  call.no_overlap(probs, logits);
  call.no_overlap(probs, target.view);
  const double loss = softmax_cross_entropy_forward(rows, cols, logits.data, target.kernel, probs.data);
  return Napi::Number::New(info.Env(), loss);
}

Napi::Value sce_bwd(const Napi::CallbackInfo& info) {
  Call call(info, "softmaxCrossEntropyBackward");
  int64_t rows, cols;
  read_rows_cols(call, 0, &rows, &cols);
  const Extent e = call.extent("probs", {"rows", "cols"}, {rows, cols});
  F32 probs = call.f32(1, "probs", e);
  Target target = read_target(call, 2, rows, cols);
  const double scale = call.number(3, "scale");
  F32 dlogits = call.f32(4, "dlogits", e);
  call.same_or_disjoint(dlogits, probs);
  call.no_overlap(dlogits, target.view);
  softmax_cross_entropy_backward(rows, cols, probs.data, target.kernel, float(scale), dlogits.data);
  return info.Env().Undefined();
}

Napi::Value mse_fwd(const Napi::CallbackInfo& info) {
  Call call(info, "mseForward");
  F32 pred = call.any_f32(0, "pred");
  F32 target = call.f32(1, "target", call.extent("target", {"pred.length"}, {pred.length}));
  return Napi::Number::New(info.Env(), mse_forward(pred.length, pred.data, target.data));
}

Napi::Value mse_bwd(const Napi::CallbackInfo& info) {
  Call call(info, "mseBackward");
  F32 pred = call.any_f32(0, "pred");
  const Extent e = call.extent("target", {"pred.length"}, {pred.length});
  F32 target = call.f32(1, "target", e);
  const double scale = call.number(2, "scale");
  F32 dpred = call.f32(3, "dpred", e);
  call.same_or_disjoint(dpred, pred);
  call.same_or_disjoint(dpred, target);
  mse_backward(pred.length, pred.data, target.data, float(scale), dpred.data);
  return info.Env().Undefined();
}

}  // namespace

void register_loss(Napi::Env env, Napi::Object exports) {
  add<sce_fwd>(env, exports, "softmaxCrossEntropyForward");
  add<sce_bwd>(env, exports, "softmaxCrossEntropyBackward");
  add<mse_fwd>(env, exports, "mseForward");
  add<mse_bwd>(env, exports, "mseBackward");
}

}  // namespace convnode::napi
