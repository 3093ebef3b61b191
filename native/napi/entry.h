// How entry points are made and registered. A kernel entry guards its call
// against the kernel's contract (guard.h), then runs the kernel; each is
// one line in its family's table, named by the contract itself. Every entry
// runs inside `guarded`, which turns C++ failures that are not already
// JavaScript errors (out of memory in a scratch buffer, say) into a
// RangeError instead of terminating Node, and holds a ThreadLease for the
// call.
#pragma once

#include <napi.h>

#include <new>
#include <stdexcept>
#include <string>

#include "convnode/runtime.h"
#include "cpu/scratch.h"
#include "guard.h"

namespace convnode::napi {

using Entry = Napi::Value (*)(const Napi::CallbackInfo&);

// Frees the calling thread's large scratch buffers when a call ends, however
// it ends (the team's other threads free theirs as each parallel loop ends).
struct ReleaseScratchAtEnd {
  ~ReleaseScratchAtEnd() { release_large_scratch(); }
};

template <Entry F>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  // Concurrent calls from several JS threads share the cores (runtime.h).
  ThreadLease lease;
  ReleaseScratchAtEnd release;
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "convnode: out of memory for kernel scratch space");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("convnode: internal error: ") + e.what());
  }
}

struct EntryRecord {
  const char* name;
  Entry fn;
};

// Runs a kernel; a call past the scratch limit is a RangeError naming it.
template <const Kernel& K, typename R>
R run_named(const Napi::CallbackInfo& info, R (*run)(const Guarded&)) {
  static_assert(K.num_args <= kMaxArgs, "a kernel takes more arguments than the guard holds");
  try {
    return run(Guarded(info, K));
  } catch (const ScratchLimitError& e) {
    throw Napi::RangeError::New(info.Env(), std::string(K.name) + ": " + e.what());
  }
}

// A kernel that returns nothing, and one that returns a number (a loss).
template <const Kernel& K, void (*Run)(const Guarded&)>
Napi::Value kernel_call(const Napi::CallbackInfo& info) {
  run_named<K>(info, Run);
  return info.Env().Undefined();
}
template <const Kernel& K, double (*Run)(const Guarded&)>
Napi::Value kernel_value(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), run_named<K>(info, Run));
}

template <const Kernel& K, void (*Run)(const Guarded&)>
constexpr EntryRecord kernel_entry() { return {K.name, guarded<kernel_call<K, Run>>}; }
template <const Kernel& K, double (*Run)(const Guarded&)>
constexpr EntryRecord kernel_entry() { return {K.name, guarded<kernel_value<K, Run>>}; }

// The [n, c, hw] geometry of the per-channel kernels (eltwise_entry.cc, norm_entry.cc).
inline ChannelShape channels(const Guarded& g) {
  using namespace contract::channels;
  return ChannelShape{g.dim(n), g.dim(c), g.dim(hw)};
}

// The tables, one per family (*_entry.cc); addon.cc registers them all.
extern const EntryRecord kGemmEntries[1];
extern const EntryRecord kConvEntries[4];
extern const EntryRecord kPoolEntries[3];
extern const EntryRecord kEltwiseEntries[12];
extern const EntryRecord kNormEntries[5];
extern const EntryRecord kLossEntries[4];
extern const EntryRecord kOptimEntries[5];
extern const EntryRecord kRuntimeEntries[4];

}  // namespace convnode::napi
