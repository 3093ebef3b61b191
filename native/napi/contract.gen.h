// Generated from lib/backend/contracts.ts by scripts/contract-header.ts
// (`npm run generate`). Do not edit.

#pragma once

#include "guard_types.h"

namespace convnode::napi::contract {

// none: 0 wire field(s)
namespace none {
// no slots
}  // namespace none
inline constexpr Geometry kNoneGeometry = {"none", nullptr, 0, 0, nullptr};

// gemm: 7 wire field(s)
namespace gemm {
enum Slot : int { m, n, k, transA, transB, alpha, beta };
inline constexpr Field kFields[] = {
    {"options.m", FieldType::kInt, 1.0, 2147483647.0},
    {"options.n", FieldType::kInt, 1.0, 2147483647.0},
    {"options.k", FieldType::kInt, 1.0, 2147483647.0},
    {"options.transA", FieldType::kBool, 0.0, 1.0},
    {"options.transB", FieldType::kBool, 0.0, 1.0},
    {"options.alpha", FieldType::kNumber, 0.0, 0.0},
    {"options.beta", FieldType::kNumber, 0.0, 0.0},
};
}  // namespace gemm
inline constexpr Geometry kGemmGeometry = {"gemm", gemm::kFields, 7, 7, nullptr};

// conv2d: 14 wire field(s), then derived cg, ho, wo
namespace conv2d {
enum Slot : int { n, c, h, w, k, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups, cg, ho, wo };
inline constexpr Field kFields[] = {
    {"shape.n", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.c", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.h", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.w", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.k", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.kh", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.kw", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.strideH", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.strideW", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.padH", FieldType::kInt, 0.0, 2147483647.0},
    {"shape.padW", FieldType::kInt, 0.0, 2147483647.0},
    {"shape.dilationH", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.dilationW", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.groups", FieldType::kInt, 1.0, 2147483647.0},
};
}  // namespace conv2d
inline constexpr Geometry kConv2dGeometry = {"conv2d", conv2d::kFields, 14, 17, &derive_conv2d};

// pool2d: 13 wire field(s), then derived ho, wo
namespace pool2d {
enum Slot : int { mode, n, c, h, w, kh, kw, strideH, strideW, padH, padW, ceilMode, countIncludePad, ho, wo };
inline constexpr Field kFields[] = {
    {"shape.mode", FieldType::kEnum, 0.0, 2.0},
    {"shape.n", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.c", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.h", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.w", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.kh", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.kw", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.strideH", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.strideW", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.padH", FieldType::kInt, 0.0, 2147483647.0},
    {"shape.padW", FieldType::kInt, 0.0, 2147483647.0},
    {"shape.ceilMode", FieldType::kBool, 0.0, 1.0},
    {"shape.countIncludePad", FieldType::kBool, 0.0, 1.0},
};
}  // namespace pool2d
inline constexpr Geometry kPool2dGeometry = {"pool2d", pool2d::kFields, 13, 15, &derive_pool2d};

// channels: 3 wire field(s)
namespace channels {
enum Slot : int { n, c, hw };
inline constexpr Field kFields[] = {
    {"shape.n", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.c", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.hw", FieldType::kInt, 1.0, 2147483647.0},
};
}  // namespace channels
inline constexpr Geometry kChannelsGeometry = {"channels", channels::kFields, 3, 3, nullptr};

// rows: 2 wire field(s)
namespace rows {
enum Slot : int { rows, cols };
inline constexpr Field kFields[] = {
    {"shape.rows", FieldType::kInt, 1.0, 2147483647.0},
    {"shape.cols", FieldType::kInt, 1.0, 2147483647.0},
};
}  // namespace rows
inline constexpr Geometry kRowsGeometry = {"rows", rows::kFields, 2, 2, nullptr};

// activation: 4 wire field(s)
namespace activation {
enum Slot : int { kind, alpha, min, max };
inline constexpr Field kFields[] = {
    {"options.kind", FieldType::kEnum, 0.0, 5.0},
    {"options.alpha", FieldType::kNumber, 0.0, 0.0},
    {"options.min", FieldType::kNumber, 0.0, 0.0},
    {"options.max", FieldType::kNumber, 0.0, 0.0},
};
}  // namespace activation
inline constexpr Geometry kActivationGeometry = {"activation", activation::kFields, 4, 4, nullptr};

// sgd: 6 wire field(s)
namespace sgd {
enum Slot : int { lr, momentum, dampening, weightDecay, nesterov, step };
inline constexpr Field kFields[] = {
    {"options.lr", FieldType::kNumber, 0.0, 0.0},
    {"options.momentum", FieldType::kNumber, 0.0, 0.0},
    {"options.dampening", FieldType::kNumber, 0.0, 0.0},
    {"options.weightDecay", FieldType::kNumber, 0.0, 0.0},
    {"options.nesterov", FieldType::kBool, 0.0, 1.0},
    {"options.step", FieldType::kInt, 1.0, 9007199254740991.0},
};
}  // namespace sgd
inline constexpr Geometry kSgdGeometry = {"sgd", sgd::kFields, 6, 6, nullptr};

// adam: 8 wire field(s)
namespace adam {
enum Slot : int { lr, beta1, beta2, eps, weightDecay, decoupled, step, amsgrad };
inline constexpr Field kFields[] = {
    {"options.lr", FieldType::kNumber, 0.0, 0.0},
    {"options.beta1", FieldType::kNumber, 0.0, 0.0},
    {"options.beta2", FieldType::kNumber, 0.0, 0.0},
    {"options.eps", FieldType::kNumber, 0.0, 0.0},
    {"options.weightDecay", FieldType::kNumber, 0.0, 0.0},
    {"options.decoupled", FieldType::kBool, 0.0, 1.0},
    {"options.step", FieldType::kInt, 1.0, 9007199254740991.0},
    {"options.amsgrad", FieldType::kBool, 0.0, 1.0},
};
}  // namespace adam
inline constexpr Geometry kAdamGeometry = {"adam", adam::kFields, 8, 8, nullptr};

// rmsprop: 6 wire field(s)
namespace rmsprop {
enum Slot : int { lr, alpha, eps, weightDecay, momentum, centered };
inline constexpr Field kFields[] = {
    {"options.lr", FieldType::kNumber, 0.0, 0.0},
    {"options.alpha", FieldType::kNumber, 0.0, 0.0},
    {"options.eps", FieldType::kNumber, 0.0, 0.0},
    {"options.weightDecay", FieldType::kNumber, 0.0, 0.0},
    {"options.momentum", FieldType::kNumber, 0.0, 0.0},
    {"options.centered", FieldType::kBool, 0.0, 1.0},
};
}  // namespace rmsprop
inline constexpr Geometry kRmspropGeometry = {"rmsprop", rmsprop::kFields, 6, 6, nullptr};

// gemm(options, a, b, c)
inline constexpr Arg kGemmArgs[] = {
    {"a", ArgType::kF32, false, -1, false, -1, 2, {{gemm::m, -1}, {gemm::k, -1}}},
    {"b", ArgType::kF32, false, -1, false, -1, 2, {{gemm::k, -1}, {gemm::n, -1}}},
    {"c", ArgType::kF32, false, -1, false, -1, 2, {{gemm::m, -1}, {gemm::n, -1}}},
};
inline constexpr Overlap kGemmOverlaps[] = {{2, 0, false}, {2, 1, false}};
inline constexpr Kernel kGemm = {"gemm", &kGemmGeometry, kGemmArgs, 3, kGemmOverlaps, 2, nullptr, 0};

// conv2dForward(shape, x, w, bias, y)
inline constexpr Arg kConv2dForwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::n, -1}, {conv2d::c, -1}, {conv2d::h, -1}, {conv2d::w, -1}}},
    {"w", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::k, -1}, {conv2d::cg, -1}, {conv2d::kh, -1}, {conv2d::kw, -1}}},
    {"bias", ArgType::kF32, true, -1, false, -1, 1, {{conv2d::k, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::n, -1}, {conv2d::k, -1}, {conv2d::ho, -1}, {conv2d::wo, -1}}},
};
inline constexpr Overlap kConv2dForwardOverlaps[] = {{3, 0, false}, {3, 1, false}, {3, 2, false}};
inline constexpr Kernel kConv2dForward = {"conv2dForward", &kConv2dGeometry, kConv2dForwardArgs, 4, kConv2dForwardOverlaps, 3, nullptr, 0};

// conv2dBackwardData(shape, dy, w, dx)
inline constexpr Arg kConv2dBackwardDataArgs[] = {
    {"dy", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::n, -1}, {conv2d::k, -1}, {conv2d::ho, -1}, {conv2d::wo, -1}}},
    {"w", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::k, -1}, {conv2d::cg, -1}, {conv2d::kh, -1}, {conv2d::kw, -1}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::n, -1}, {conv2d::c, -1}, {conv2d::h, -1}, {conv2d::w, -1}}},
};
inline constexpr Overlap kConv2dBackwardDataOverlaps[] = {{2, 0, false}, {2, 1, false}};
inline constexpr Kernel kConv2dBackwardData = {"conv2dBackwardData", &kConv2dGeometry, kConv2dBackwardDataArgs, 3, kConv2dBackwardDataOverlaps, 2, nullptr, 0};

// conv2dBackwardWeight(shape, x, dy, dw)
inline constexpr Arg kConv2dBackwardWeightArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::n, -1}, {conv2d::c, -1}, {conv2d::h, -1}, {conv2d::w, -1}}},
    {"dy", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::n, -1}, {conv2d::k, -1}, {conv2d::ho, -1}, {conv2d::wo, -1}}},
    {"dw", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::k, -1}, {conv2d::cg, -1}, {conv2d::kh, -1}, {conv2d::kw, -1}}},
};
inline constexpr Overlap kConv2dBackwardWeightOverlaps[] = {{2, 0, false}, {2, 1, false}};
inline constexpr Kernel kConv2dBackwardWeight = {"conv2dBackwardWeight", &kConv2dGeometry, kConv2dBackwardWeightArgs, 3, kConv2dBackwardWeightOverlaps, 2, nullptr, 0};

// conv2dBackwardBias(shape, dy, db)
inline constexpr Arg kConv2dBackwardBiasArgs[] = {
    {"dy", ArgType::kF32, false, -1, false, -1, 4, {{conv2d::n, -1}, {conv2d::k, -1}, {conv2d::ho, -1}, {conv2d::wo, -1}}},
    {"db", ArgType::kF32, false, -1, false, -1, 1, {{conv2d::k, -1}}},
};
inline constexpr Overlap kConv2dBackwardBiasOverlaps[] = {{1, 0, false}};
inline constexpr Kernel kConv2dBackwardBias = {"conv2dBackwardBias", &kConv2dGeometry, kConv2dBackwardBiasArgs, 2, kConv2dBackwardBiasOverlaps, 1, nullptr, 0};

// pool2dForward(shape, x, y, argmax)
inline constexpr Arg kPool2dForwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::h, -1}, {pool2d::w, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::ho, -1}, {pool2d::wo, -1}}},
    {"argmax", ArgType::kU8, true, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::ho, -1}, {pool2d::wo, -1}}},
};
inline constexpr Overlap kPool2dForwardOverlaps[] = {{1, 0, false}, {2, 0, false}, {2, 1, false}};
inline constexpr Kernel kPool2dForward = {"pool2dForward", &kPool2dGeometry, kPool2dForwardArgs, 3, kPool2dForwardOverlaps, 3, nullptr, 0};

// pool2dBackward(shape, x, dy, dx)
inline constexpr Arg kPool2dBackwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::h, -1}, {pool2d::w, -1}}},
    {"dy", ArgType::kF32, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::ho, -1}, {pool2d::wo, -1}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::h, -1}, {pool2d::w, -1}}},
};
inline constexpr Overlap kPool2dBackwardOverlaps[] = {{2, 0, false}, {2, 1, false}};
inline constexpr Kernel kPool2dBackward = {"pool2dBackward", &kPool2dGeometry, kPool2dBackwardArgs, 3, kPool2dBackwardOverlaps, 2, nullptr, 0};

// pool2dBackwardFromArgmax(shape, argmax, dy, dx)
inline constexpr Arg kPool2dBackwardFromArgmaxArgs[] = {
    {"argmax", ArgType::kU8, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::ho, -1}, {pool2d::wo, -1}}},
    {"dy", ArgType::kF32, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::ho, -1}, {pool2d::wo, -1}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 4, {{pool2d::n, -1}, {pool2d::c, -1}, {pool2d::h, -1}, {pool2d::w, -1}}},
};
inline constexpr Overlap kPool2dBackwardFromArgmaxOverlaps[] = {{2, 0, false}, {2, 1, false}};
inline constexpr Kernel kPool2dBackwardFromArgmax = {"pool2dBackwardFromArgmax", &kPool2dGeometry, kPool2dBackwardFromArgmaxArgs, 3, kPool2dBackwardFromArgmaxOverlaps, 2, nullptr, 0};

// add(a, b, y)
inline constexpr Arg kAddArgs[] = {
    {"a", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"b", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"y", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
};
inline constexpr Overlap kAddOverlaps[] = {{2, 0, true}, {2, 1, true}};
inline constexpr Kernel kAdd = {"add", &kNoneGeometry, kAddArgs, 3, kAddOverlaps, 2, nullptr, 0};

// addRelu(a, b, y)
inline constexpr Arg kAddReluArgs[] = {
    {"a", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"b", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"y", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
};
inline constexpr Overlap kAddReluOverlaps[] = {{2, 0, true}, {2, 1, true}};
inline constexpr Kernel kAddRelu = {"addRelu", &kNoneGeometry, kAddReluArgs, 3, kAddReluOverlaps, 2, nullptr, 0};

// activationForward(options, x, y)
inline constexpr Arg kActivationForwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"y", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
};
inline constexpr Overlap kActivationForwardOverlaps[] = {{1, 0, true}};
inline constexpr Kernel kActivationForward = {"activationForward", &kActivationGeometry, kActivationForwardArgs, 2, kActivationForwardOverlaps, 1, nullptr, 0};

// activationBackward(options, x, y, dy, dx)
inline constexpr Arg kActivationBackwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"y", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"dy", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
};
inline constexpr Overlap kActivationBackwardOverlaps[] = {{3, 2, true}, {3, 0, false}, {3, 1, false}};
inline constexpr Kernel kActivationBackward = {"activationBackward", &kActivationGeometry, kActivationBackwardArgs, 4, kActivationBackwardOverlaps, 3, nullptr, 0};

// preluForward(shape, x, slope, y)
inline constexpr Arg kPreluForwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"slope", ArgType::kF32, false, -1, true, -1, 1, {{channels::c, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
};
inline constexpr Overlap kPreluForwardOverlaps[] = {{2, 0, true}, {2, 1, false}};
inline constexpr Kernel kPreluForward = {"preluForward", &kChannelsGeometry, kPreluForwardArgs, 3, kPreluForwardOverlaps, 2, nullptr, 0};

// preluBackward(shape, x, slope, dy, dx, dslope)
inline constexpr Arg kPreluBackwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"slope", ArgType::kF32, false, -1, true, -1, 1, {{channels::c, -1}}},
    {"dy", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"dslope", ArgType::kF32, false, -1, false, -1, 1, {{-1, 1}}},
};
inline constexpr Overlap kPreluBackwardOverlaps[] = {{3, 2, true}, {3, 0, false}, {3, 1, false}, {4, 0, false}, {4, 1, false}, {4, 2, false}, {4, 3, false}};
inline constexpr Kernel kPreluBackward = {"preluBackward", &kChannelsGeometry, kPreluBackwardArgs, 5, kPreluBackwardOverlaps, 7, nullptr, 0};

// biasAdd(shape, x, bias, y)
inline constexpr Arg kBiasAddArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"bias", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
};
inline constexpr Overlap kBiasAddOverlaps[] = {{2, 0, true}, {2, 1, false}};
inline constexpr Kernel kBiasAdd = {"biasAdd", &kChannelsGeometry, kBiasAddArgs, 3, kBiasAddOverlaps, 2, nullptr, 0};

// biasGrad(shape, dy, db)
inline constexpr Arg kBiasGradArgs[] = {
    {"dy", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"db", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
};
inline constexpr Overlap kBiasGradOverlaps[] = {{1, 0, false}};
inline constexpr Kernel kBiasGrad = {"biasGrad", &kChannelsGeometry, kBiasGradArgs, 2, kBiasGradOverlaps, 1, nullptr, 0};

// channelMoments(shape, x, mean, var)
inline constexpr Arg kChannelMomentsArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"mean", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"var", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
};
inline constexpr Overlap kChannelMomentsOverlaps[] = {{1, 0, false}, {1, 2, false}, {2, 0, false}};
inline constexpr Kernel kChannelMoments = {"channelMoments", &kChannelsGeometry, kChannelMomentsArgs, 3, kChannelMomentsOverlaps, 3, nullptr, 0};

// channelGradSums(shape, dy, x, mean, sumDy, sumDyXc, reluOutput)
inline constexpr Arg kChannelGradSumsArgs[] = {
    {"dy", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"mean", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"sumDy", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"sumDyXc", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"reluOutput", ArgType::kF32, true, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
};
inline constexpr Overlap kChannelGradSumsOverlaps[] = {{3, 0, false}, {3, 1, false}, {3, 2, false}, {3, 4, false}, {3, 5, false}, {4, 0, false}, {4, 1, false}, {4, 2, false}, {4, 5, false}};
inline constexpr Kernel kChannelGradSums = {"channelGradSums", &kChannelsGeometry, kChannelGradSumsArgs, 6, kChannelGradSumsOverlaps, 9, nullptr, 0};

// channelAffine(shape, x, scale, shift, y)
inline constexpr Arg kChannelAffineArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"scale", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"shift", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
};
inline constexpr Overlap kChannelAffineOverlaps[] = {{3, 0, true}, {3, 1, false}, {3, 2, false}};
inline constexpr Kernel kChannelAffine = {"channelAffine", &kChannelsGeometry, kChannelAffineArgs, 4, kChannelAffineOverlaps, 3, nullptr, 0};

// channelAffineRelu(shape, x, scale, shift, y)
inline constexpr Arg kChannelAffineReluArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"scale", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"shift", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
};
inline constexpr Overlap kChannelAffineReluOverlaps[] = {{3, 0, true}, {3, 1, false}, {3, 2, false}};
inline constexpr Kernel kChannelAffineRelu = {"channelAffineRelu", &kChannelsGeometry, kChannelAffineReluArgs, 4, kChannelAffineReluOverlaps, 3, nullptr, 0};

// channelCombine(shape, dy, x, a, b, d, dx, reluOutput)
inline constexpr Arg kChannelCombineArgs[] = {
    {"dy", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"x", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"a", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"b", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"d", ArgType::kF32, false, -1, false, -1, 1, {{channels::c, -1}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
    {"reluOutput", ArgType::kF32, true, -1, false, -1, 3, {{channels::n, -1}, {channels::c, -1}, {channels::hw, -1}}},
};
inline constexpr Overlap kChannelCombineOverlaps[] = {{5, 0, true}, {5, 1, false}, {5, 2, false}, {5, 3, false}, {5, 4, false}, {5, 6, false}};
inline constexpr Kernel kChannelCombine = {"channelCombine", &kChannelsGeometry, kChannelCombineArgs, 7, kChannelCombineOverlaps, 6, nullptr, 0};

// softmaxForward(shape, x, y)
inline constexpr Arg kSoftmaxForwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
};
inline constexpr Overlap kSoftmaxForwardOverlaps[] = {{1, 0, true}};
inline constexpr Kernel kSoftmaxForward = {"softmaxForward", &kRowsGeometry, kSoftmaxForwardArgs, 2, kSoftmaxForwardOverlaps, 1, nullptr, 0};

// logSoftmaxForward(shape, x, y)
inline constexpr Arg kLogSoftmaxForwardArgs[] = {
    {"x", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"y", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
};
inline constexpr Overlap kLogSoftmaxForwardOverlaps[] = {{1, 0, true}};
inline constexpr Kernel kLogSoftmaxForward = {"logSoftmaxForward", &kRowsGeometry, kLogSoftmaxForwardArgs, 2, kLogSoftmaxForwardOverlaps, 1, nullptr, 0};

// softmaxBackward(shape, y, dy, dx)
inline constexpr Arg kSoftmaxBackwardArgs[] = {
    {"y", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"dy", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
};
inline constexpr Overlap kSoftmaxBackwardOverlaps[] = {{2, 1, true}, {2, 0, false}};
inline constexpr Kernel kSoftmaxBackward = {"softmaxBackward", &kRowsGeometry, kSoftmaxBackwardArgs, 3, kSoftmaxBackwardOverlaps, 2, nullptr, 0};

// logSoftmaxBackward(shape, y, dy, dx)
inline constexpr Arg kLogSoftmaxBackwardArgs[] = {
    {"y", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"dy", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"dx", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
};
inline constexpr Overlap kLogSoftmaxBackwardOverlaps[] = {{2, 1, true}, {2, 0, false}};
inline constexpr Kernel kLogSoftmaxBackward = {"logSoftmaxBackward", &kRowsGeometry, kLogSoftmaxBackwardArgs, 3, kLogSoftmaxBackwardOverlaps, 2, nullptr, 0};

// softmaxCrossEntropyForward(shape, logits, target, probs)
inline constexpr Arg kSoftmaxCrossEntropyForwardArgs[] = {
    {"logits", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"target", ArgType::kTarget, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"probs", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
};
inline constexpr Overlap kSoftmaxCrossEntropyForwardOverlaps[] = {{2, 0, false}, {2, 1, false}};
inline constexpr Kernel kSoftmaxCrossEntropyForward = {"softmaxCrossEntropyForward", &kRowsGeometry, kSoftmaxCrossEntropyForwardArgs, 3, kSoftmaxCrossEntropyForwardOverlaps, 2, nullptr, 0};

// softmaxCrossEntropyBackward(shape, probs, target, scale, dlogits)
inline constexpr Arg kSoftmaxCrossEntropyBackwardArgs[] = {
    {"probs", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"target", ArgType::kTarget, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
    {"scale", ArgType::kNumber, false, -1, false, -1, 0, {}},
    {"dlogits", ArgType::kF32, false, -1, false, -1, 2, {{rows::rows, -1}, {rows::cols, -1}}},
};
inline constexpr Overlap kSoftmaxCrossEntropyBackwardOverlaps[] = {{3, 0, true}, {3, 1, false}};
inline constexpr Kernel kSoftmaxCrossEntropyBackward = {"softmaxCrossEntropyBackward", &kRowsGeometry, kSoftmaxCrossEntropyBackwardArgs, 4, kSoftmaxCrossEntropyBackwardOverlaps, 2, nullptr, 0};

// mseForward(pred, target)
inline constexpr Arg kMseForwardArgs[] = {
    {"pred", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"target", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
};
inline constexpr Kernel kMseForward = {"mseForward", &kNoneGeometry, kMseForwardArgs, 2, nullptr, 0, nullptr, 0};

// mseBackward(pred, target, scale, dpred)
inline constexpr Arg kMseBackwardArgs[] = {
    {"pred", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"target", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"scale", ArgType::kNumber, false, -1, false, -1, 0, {}},
    {"dpred", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
};
inline constexpr Overlap kMseBackwardOverlaps[] = {{3, 0, true}, {3, 1, true}};
inline constexpr Kernel kMseBackward = {"mseBackward", &kNoneGeometry, kMseBackwardArgs, 4, kMseBackwardOverlaps, 2, nullptr, 0};

// sgdUpdate(options, param, grad, momentumBuffer)
inline constexpr Arg kSgdUpdateArgs[] = {
    {"param", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"grad", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"momentumBuffer", ArgType::kF32, true, sgd::momentum, false, -1, 1, {{-1, 0}}},
};
inline constexpr Overlap kSgdUpdateOverlaps[] = {{0, 1, false}, {2, 0, false}, {2, 1, false}};
inline constexpr Kernel kSgdUpdate = {"sgdUpdate", &kSgdGeometry, kSgdUpdateArgs, 3, kSgdUpdateOverlaps, 3, nullptr, 0};

// adamUpdate(options, param, grad, expAvg, expAvgSq, maxExpAvgSq)
inline constexpr Arg kAdamUpdateArgs[] = {
    {"param", ArgType::kF32, false, -1, false, -1, 0, {}},
    {"grad", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"expAvg", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"expAvgSq", ArgType::kF32, false, -1, false, -1, 1, {{-1, 0}}},
    {"maxExpAvgSq", ArgType::kF32, true, adam::amsgrad, false, -1, 1, {{-1, 0}}},
};
inline constexpr Overlap kAdamUpdateOverlaps[] = {{1, 0, false}, {2, 0, false}, {3, 0, false}, {4, 0, false}, {2, 1, false}, {3, 1, false}, {4, 1, false}, {3, 2, false}, {4, 2, false}, {4, 3, false}};
inline constexpr Kernel kAdamUpdate = {"adamUpdate", &kAdamGeometry, kAdamUpdateArgs, 5, kAdamUpdateOverlaps, 10, nullptr, 0};

// sgdUpdateMany(options, params, grads, momentumBuffers)
inline constexpr Arg kSgdUpdateManyArgs[] = {
    {"params", ArgType::kF32List, false, -1, false, -1, 0, {}},
    {"grads", ArgType::kF32List, false, -1, false, 0, 0, {}},
    {"momentumBuffers", ArgType::kF32List, true, sgd::momentum, false, 0, 0, {}},
};
inline constexpr int kSgdUpdateManyLists[] = {0, 1, 2};
inline constexpr Kernel kSgdUpdateMany = {"sgdUpdateMany", &kSgdGeometry, kSgdUpdateManyArgs, 3, nullptr, 0, kSgdUpdateManyLists, 3};

// adamUpdateMany(options, params, grads, expAvgs, expAvgSqs, maxExpAvgSqs)
inline constexpr Arg kAdamUpdateManyArgs[] = {
    {"params", ArgType::kF32List, false, -1, false, -1, 0, {}},
    {"grads", ArgType::kF32List, false, -1, false, 0, 0, {}},
    {"expAvgs", ArgType::kF32List, false, -1, false, 0, 0, {}},
    {"expAvgSqs", ArgType::kF32List, false, -1, false, 0, 0, {}},
    {"maxExpAvgSqs", ArgType::kF32List, true, adam::amsgrad, false, 0, 0, {}},
};
inline constexpr int kAdamUpdateManyLists[] = {0, 1, 2, 3, 4};
inline constexpr Kernel kAdamUpdateMany = {"adamUpdateMany", &kAdamGeometry, kAdamUpdateManyArgs, 5, nullptr, 0, kAdamUpdateManyLists, 5};

// rmspropUpdateMany(options, params, grads, squareAvgs, momentumBuffers, gradAvgs)
inline constexpr Arg kRmspropUpdateManyArgs[] = {
    {"params", ArgType::kF32List, false, -1, false, -1, 0, {}},
    {"grads", ArgType::kF32List, false, -1, false, 0, 0, {}},
    {"squareAvgs", ArgType::kF32List, false, -1, false, 0, 0, {}},
    {"momentumBuffers", ArgType::kF32List, true, rmsprop::momentum, false, 0, 0, {}},
    {"gradAvgs", ArgType::kF32List, true, rmsprop::centered, false, 0, 0, {}},
};
inline constexpr int kRmspropUpdateManyLists[] = {0, 1, 2, 3, 4};
inline constexpr Kernel kRmspropUpdateMany = {"rmspropUpdateMany", &kRmspropGeometry, kRmspropUpdateManyArgs, 5, nullptr, 0, kRmspropUpdateManyLists, 5};

// The most arguments any kernel takes: the size of the guard's argument arrays (guard.h).
inline constexpr int kMaxKernelArgs = 7;

}  // namespace convnode::napi::contract
