// The addon's memory guards, driven by the tables generated from
// lib/backend/contracts.ts (contract.gen.h). The TypeScript boundary
// (lib/backend/check.ts) has already checked every call that comes through
// the library, with the full messages; these guards exist so that no call
// at all, however it reaches the addon, can make a kernel touch memory it
// does not own: types, lengths, geometry and overlaps are checked again,
// cheaply, and a failure is a JavaScript TypeError or RangeError.
//
// The wire: argument 0 is a Float64Array holding the geometry's fields in
// the table's order (enums as their index, bools as 0 or 1); the kernel's
// arguments follow in the contract's order.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "contract.gen.h"
#include "convnode/kernels.h"

namespace convnode::napi {

// Sized from the contracts (contract.gen.h); kernel_entry (entry.h) refuses
// to compile a kernel that takes more.
constexpr int kMaxArgs = contract::kMaxKernelArgs;

// How a message names v's type: 'undefined', 'number', 'Float64Array', 'Array'...
std::string describe(napi_env env, napi_value v);

class Guarded {
 public:
  // Reads every argument of a call to `kernel`, checks it against the
  // contract and keeps what it checked. The entries of list arguments are
  // all read (which may run JavaScript getters) before any argument is
  // checked, and nothing runs JavaScript after the checks, so no checked
  // array can be detached before the kernel uses it. Labels are copied:
  // an Int32Array over a SharedArrayBuffer may change after its check.
  Guarded(const Napi::CallbackInfo& info, const Kernel& kernel);

  int64_t dim(int slot) const { return static_cast<int64_t>(slots_[slot]); }
  double value(int slot) const { return slots_[slot]; }
  bool flag(int slot) const { return slots_[slot] != 0; }

  // A typed array argument (nullptr when an optional one is absent).
  float* f32(int arg) const { return static_cast<float*>(arrays_[arg].data); }
  uint8_t* u8(int arg) const { return static_cast<uint8_t*>(arrays_[arg].data); }
  bool present(int arg) const { return arrays_[arg].present; }
  int64_t length(int arg) const { return arrays_[arg].length; }
  double number(int arg) const { return numbers_[arg]; }
  // A target argument: the copied labels, or the distributions in place.
  ClassTarget target(int arg) const;

  // A list argument (empty when an optional one is absent).
  int64_t list_size(int arg) const { return static_cast<int64_t>(lists_[arg].data.size()); }
  float* const* list(int arg) const { return lists_[arg].data.empty() ? nullptr : lists_[arg].data.data(); }
  const int64_t* list_lengths(int arg) const { return lists_[arg].lengths.data(); }

  [[noreturn]] void range_error(const std::string& msg) const;

 private:
  struct Array {
    void* data = nullptr;
    int64_t length = 0;
    int64_t bytes = 0;
    bool present = false;
  };
  struct List {
    std::vector<napi_value> values;
    std::vector<float*> data;
    std::vector<int64_t> lengths;
  };

  [[noreturn]] void type_error(const std::string& msg) const;
  void read_geometry(napi_value baton);
  void gather_list(int arg, napi_value v);
  void check_arg(int arg, napi_value v);
  void check_array(int arg, napi_value v, napi_typedarray_type want, const char* type_name);
  void check_target(int arg, napi_value v);
  void check_list(int arg, napi_value v);
  bool absent_allowed(int arg, napi_value v) const;
  // The length the contract asks of argument arg; -1 for any.
  int64_t extent(int arg) const;
  // A typed array's type, data and length; false if v is none.
  bool typed_array(napi_value v, napi_typedarray_type* type, void** data, size_t* length) const;
  void check_overlaps() const;

  napi_env env_;
  const Kernel& kernel_;
  double slots_[kMaxSlots] = {};
  Array arrays_[kMaxArgs];
  double numbers_[kMaxArgs] = {};
  std::vector<int32_t> labels_;
  List lists_[kMaxArgs];
};

}  // namespace convnode::napi
