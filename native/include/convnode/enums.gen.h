// Generated from lib/backend/contracts.ts by scripts/contract-header.ts
// (`npm run generate`). Do not edit.

#pragma once

#include <cstdint>

namespace convnode {

enum class Activation : int32_t { kIdentity, kRelu, kLeakyRelu, kTanh, kSigmoid, kHardtanh };
enum class PoolMode : int32_t { kMax, kAvg, kSum };

// The most cells a max-pool window may have when its winners are kept as bytes.
constexpr int64_t kMaxPoolArgmaxCells = 256;

}  // namespace convnode
