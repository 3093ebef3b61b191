// Argument checking for every entry point. Each check either returns a value
// the kernels can trust or throws a JavaScript TypeError / RangeError whose
// message starts with the entry point's name, names the argument, and says
// what was expected and what was given. lib/backend/validate.ts produces the
// same messages for the TypeScript backend; test/errors.test.ts holds both
// to them.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <vector>

namespace convnode::napi {

// The largest element count accepted for any tensor: a safe JS integer.
constexpr int64_t kMaxElements = (int64_t(1) << 53) - 1;
// The largest single dimension; keeps every product below overflow.
constexpr int64_t kMaxDim = 2147483647;

struct F32 {
  float* data = nullptr;
  int64_t length = 0;
  const char* name = "";
  // False only for an optional argument given as null/undefined (an empty
  // Float32Array is present, and its data pointer may be null).
  bool given = true;
  bool present() const { return given; }
};

// An Array of Float32Arrays (the tensors of an optimizer step).
struct F32List {
  const char* name = "";
  std::vector<F32> items;  // items[i].name is only valid during the check
  int64_t size() const { return static_cast<int64_t>(items.size()); }
};

// A Uint8Array (max pooling's winners).
struct U8 {
  uint8_t* data = nullptr;
  int64_t length = 0;
  const char* name = "";
  bool given = true;  // as F32::given
  bool present() const { return given; }
};

// A checked product of shape dimensions. Its formula for messages
// ("n*c*h*w = 2*3*9*8") is only built when a message needs it: every call
// checks lengths, few fail, and string building dominated the cost of a
// small kernel call.
struct Extent {
  int64_t count = 1;
  const char* names[4] = {};
  int64_t dims[4] = {};
  int rank = 0;
  const char* suffix = "";  // appended to names[0] (".length")
  std::string formula() const;
};

// Throws a RangeError from `call` unless cond holds. The message expression
// is evaluated only on failure.
#define CONVNODE_REQUIRE(call, cond, message) \
  do {                                         \
    if (!(cond)) (call).range_error(message);  \
  } while (0)

// Property keys for the fields of options and shape objects, one
// JavaScript string per field name, made the first time the name is read
// and kept for the life of the environment. Looking a field up by a C
// string makes V8 internalize the string on every read: with seven fields,
// that was about a quarter of a small gemm call. The strings live in an
// Array held by reference (Node 20's N-API can reference objects, not
// strings), indexed through a map keyed by the name's address: the names
// are string literals.
class FieldKeys {
 public:
  static void install(Napi::Env env);
  static Napi::Value key(Napi::Env env, const char* field);

 private:
  Napi::Reference<Napi::Array> strings_;
  std::unordered_map<const char*, uint32_t> index_;
};

class Call {
 public:
  Call(const Napi::CallbackInfo& info, const char* fn) : info_(info), env_(info.Env()), fn_(fn) {}

  Napi::Env env() const { return env_; }
  const Napi::CallbackInfo& info() const { return info_; }

  [[noreturn]] void type_error(const std::string& msg) const;
  [[noreturn]] void range_error(const std::string& msg) const;

  // Argument i must be a plain object (options or shape).
  Napi::Object object(size_t i, const char* name) const;

  // Fields of an options/shape object. `dflt` is used when the field is
  // undefined; without it the field is required.
  int64_t int_field(const Napi::Object& o, const char* obj, const char* field,
                    int64_t min, int64_t max) const;
  int64_t int_field(const Napi::Object& o, const char* obj, const char* field,
                    int64_t min, int64_t max, int64_t dflt) const;
  double number_field(const Napi::Object& o, const char* obj, const char* field) const;
  double number_field(const Napi::Object& o, const char* obj, const char* field,
                      double dflt) const;
  bool bool_field(const Napi::Object& o, const char* obj, const char* field,
                  bool dflt) const;
  // The same checks on argument i, for an entry point whose JavaScript
  // wrapper has read the fields out of the options object (gemm: see
  // gemm_entry.cc); messages still name obj.field.
  int64_t int_arg(size_t i, const char* obj, const char* field, int64_t min, int64_t max) const;
  double number_arg(size_t i, const char* obj, const char* field, double dflt) const;
  bool bool_arg(size_t i, const char* obj, const char* field, bool dflt) const;
  // Index into `choices` of the string field's value.
  int enum_field(const Napi::Object& o, const char* obj, const char* field,
                 std::initializer_list<const char*> choices) const;

  // Argument i must be a Float32Array of exactly extent.count elements.
  F32 f32(size_t i, const char* name, const Extent& extent) const;
  // Same, but null or undefined give an absent F32.
  F32 optional_f32(size_t i, const char* name, const Extent& extent) const;
  // Argument i must be a Uint8Array of exactly extent.count elements; the
  // optional form gives an absent U8 for null/undefined.
  U8 u8(size_t i, const char* name, const Extent& extent) const;
  U8 optional_u8(size_t i, const char* name, const Extent& extent) const;
  // Argument i must be a Float32Array of any length (its length then
  // sizes the other arguments).
  F32 any_f32(size_t i, const char* name) const;
  // Argument i must be an Array of Float32Arrays of any lengths.
  F32List f32_list(size_t i, const char* name) const;
  // Argument i must be an Array of ref.size() Float32Arrays, entry j as long
  // as ref's entry j. The optional form gives an empty list for null/undefined.
  F32List f32_list_like(size_t i, const char* name, const F32List& ref) const;
  F32List optional_f32_list_like(size_t i, const char* name, const F32List& ref) const;
  // No two arrays, within a list or across the lists, may share memory.
  void no_overlap(std::initializer_list<const F32List*> lists) const;
  // A plain number argument (finite).
  double number(size_t i, const char* name) const;

  // Product of dims (at most 4); RangeError naming `what` when it exceeds
  // kMaxElements. The name pointers must outlive the Extent.
  Extent extent(const char* what, std::initializer_list<const char*> names,
                std::initializer_list<int64_t> dims) const;
  // The length of another argument ("x.length = 10").
  Extent length_of(const F32& ref) const;

  // out must not share memory with in.
  void no_overlap(const F32& out, const F32& in) const;
  void no_overlap(const U8& out, const F32& in) const;
  void no_overlap(const F32& out, const U8& in) const;
  // out may be exactly in (in place) but must not partly overlap it.
  void same_or_disjoint(const F32& out, const F32& in) const;

  // How JavaScript would describe v's type in a message.
  std::string describe(const Napi::Value& v) const;

  // o[field], looked up with a key made once per environment (FieldKeys).
  Napi::Value get(const Napi::Object& o, const char* field) const;

 private:
  int64_t int_value(const Napi::Value& v, const char* obj, const char* field, int64_t min,
                    int64_t max) const;
  double number_value(const Napi::Value& v, const char* obj, const char* field) const;
  bool bool_value(const Napi::Value& v, const char* obj, const char* field, bool dflt) const;
  F32 typed_f32(const Napi::Value& v, const char* name, const Extent* extent) const;
  // v's data and length if it is a typed array of `type` (named
  // type_name in the message) with extent->count elements (any if null).
  void* typed(const Napi::Value& v, const char* name, const Extent* extent, napi_typedarray_type type,
              const char* type_name, int64_t* length) const;
  std::string field_path(const char* obj, const char* field) const;
  // RangeError "out must not share memory with in" if the byte ranges meet.
  void require_disjoint(const char* out_name, const void* out, int64_t out_bytes, const char* in_name,
                        const void* in, int64_t in_bytes) const;

  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  const char* fn_;
};

}  // namespace convnode::napi
