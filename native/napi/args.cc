#include "args.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace convnode::napi {

void FieldKeys::install(Napi::Env env) {
  auto* keys = new FieldKeys();
  keys->strings_ = Napi::Persistent(Napi::Array::New(env));
  env.SetInstanceData(keys);
}

Napi::Value FieldKeys::key(Napi::Env env, const char* field) {
  FieldKeys* self = env.GetInstanceData<FieldKeys>();
  Napi::Array strings = self->strings_.Value();
  auto it = self->index_.find(field);
  if (it == self->index_.end()) {
    const uint32_t i = uint32_t(self->index_.size());
    strings.Set(i, Napi::String::New(env, field));
    it = self->index_.emplace(field, i).first;
  }
  return strings.Get(it->second);
}

Napi::Value Call::get(const Napi::Object& o, const char* field) const {
  return o.Get(FieldKeys::key(env_, field));
}

void Call::type_error(const std::string& msg) const {
  throw Napi::TypeError::New(env_, std::string(fn_) + ": " + msg);
}

void Call::range_error(const std::string& msg) const {
  throw Napi::RangeError::New(env_, std::string(fn_) + ": " + msg);
}

std::string Call::describe(const Napi::Value& v) const {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number " + v.ToString().Utf8Value();
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_bigint: return "bigint";
    case napi_external: return "external";
    case napi_object: break;
  }
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array: return "Int8Array";
      case napi_uint8_array: return "Uint8Array";
      case napi_uint8_clamped_array: return "Uint8ClampedArray";
      case napi_int16_array: return "Int16Array";
      case napi_uint16_array: return "Uint16Array";
      case napi_int32_array: return "Int32Array";
      case napi_uint32_array: return "Uint32Array";
      case napi_float32_array: return "Float32Array";
      case napi_float64_array: return "Float64Array";
      case napi_bigint64_array: return "BigInt64Array";
      case napi_biguint64_array: return "BigUint64Array";
      default: return "TypedArray";
    }
  }
  if (v.IsArray()) return "Array";
  if (v.IsArrayBuffer()) return "ArrayBuffer";
  if (v.IsDataView()) return "DataView";
  return "object";
}

std::string Call::field_path(const char* obj, const char* field) const {
  return std::string(obj) + "." + field;
}

Napi::Object Call::object(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray() || v.IsFunction())
    type_error(std::string(name) + " must be an object, got " + describe(v));
  return v.As<Napi::Object>();
}

int64_t Call::int_field(const Napi::Object& o, const char* obj, const char* field,
                        int64_t min, int64_t max) const {
  return int_value(get(o, field), obj, field, min, max);
}

int64_t Call::int_value(const Napi::Value& v, const char* obj, const char* field, int64_t min,
                        int64_t max) const {
  if (!v.IsNumber()) type_error(field_path(obj, field) + " must be a number, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::isfinite(d) && std::floor(d) == d && d >= double(min) && d <= double(max)))
    range_error(field_path(obj, field) + " must be an integer in [" + std::to_string(min) + ", " +
                std::to_string(max) + "], got " + v.ToString().Utf8Value());
  return static_cast<int64_t>(d);
}

int64_t Call::int_field(const Napi::Object& o, const char* obj, const char* field,
                        int64_t min, int64_t max, int64_t dflt) const {
  const Napi::Value v = get(o, field);
  return v.IsUndefined() ? dflt : int_value(v, obj, field, min, max);
}

double Call::number_field(const Napi::Object& o, const char* obj,
                          const char* field) const {
  return number_value(get(o, field), obj, field);
}

double Call::number_value(const Napi::Value& v, const char* obj, const char* field) const {
  if (!v.IsNumber()) type_error(field_path(obj, field) + " must be a number, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d))
    range_error(field_path(obj, field) + " must be a finite number, got " + v.ToString().Utf8Value());
  return d;
}

double Call::number_field(const Napi::Object& o, const char* obj, const char* field,
                          double dflt) const {
  const Napi::Value v = get(o, field);
  return v.IsUndefined() ? dflt : number_value(v, obj, field);
}

bool Call::bool_field(const Napi::Object& o, const char* obj, const char* field,
                      bool dflt) const {
  return bool_value(get(o, field), obj, field, dflt);
}

int64_t Call::int_arg(size_t i, const char* obj, const char* field, int64_t min, int64_t max) const {
  return int_value(info_[i], obj, field, min, max);
}

double Call::number_arg(size_t i, const char* obj, const char* field, double dflt) const {
  const Napi::Value v = info_[i];
  return v.IsUndefined() ? dflt : number_value(v, obj, field);
}

bool Call::bool_arg(size_t i, const char* obj, const char* field, bool dflt) const {
  return bool_value(info_[i], obj, field, dflt);
}

bool Call::bool_value(const Napi::Value& v, const char* obj, const char* field, bool dflt) const {
  if (v.IsUndefined()) return dflt;
  if (!v.IsBoolean())
    type_error(field_path(obj, field) + " must be a boolean, got " + describe(v));
  return v.As<Napi::Boolean>().Value();
}

int Call::enum_field(const Napi::Object& o, const char* obj, const char* field,
                     std::initializer_list<const char*> choices) const {
  Napi::Value v = get(o, field);
  auto list = [&] {
    std::string l;
    for (const char* c : choices) l += (l.empty() ? "'" : ", '") + std::string(c) + "'";
    return l;
  };
  if (!v.IsString()) type_error(field_path(obj, field) + " must be one of " + list() + ", got " + describe(v));
  // Compare in a stack buffer: no allocation on the success path.
  char buf[64];
  size_t len = 0;
  napi_get_value_string_utf8(env_, v, buf, sizeof buf, &len);
  int i = 0;
  for (const char* c : choices) {
    if (len < sizeof buf - 1 && std::strcmp(buf, c) == 0) return i;
    ++i;
  }
  range_error(field_path(obj, field) + " must be one of " + list() + ", got '" +
              v.As<Napi::String>().Utf8Value() + "'");
}

std::string Extent::formula() const {
  std::string lhs, rhs;
  for (int i = 0; i < rank; ++i) {
    lhs += (i ? "*" : "") + std::string(names[i]) + (i == 0 ? suffix : "");
    rhs += (i ? "*" : "") + std::to_string(dims[i]);
  }
  return lhs + " = " + rhs;
}

Extent Call::extent(const char* what, std::initializer_list<const char*> names,
                    std::initializer_list<int64_t> dims) const {
  Extent e;
  bool overflow = false;
  auto name = names.begin();
  for (int64_t d : dims) {
    e.names[e.rank] = *name++;
    e.dims[e.rank++] = d;
    int64_t next;
    if (__builtin_mul_overflow(e.count, d, &next) || next > kMaxElements) overflow = true;
    else e.count = next;
  }
  if (overflow)
    range_error(std::string(what) + " would have " + e.formula() + " elements, more than 2^53 - 1");
  return e;
}

Extent Call::length_of(const F32& ref) const {
  Extent e;
  e.count = ref.length;
  e.names[0] = ref.name;
  e.dims[0] = ref.length;
  e.rank = 1;
  e.suffix = ".length";
  return e;
}

void* Call::typed(const Napi::Value& v, const char* name, const Extent* extent, napi_typedarray_type want,
                  const char* type_name, int64_t* length_out) const {
  // One napi_get_typedarray_info call for type, length, data and buffer:
  // node-addon-api's wrappers made four, a sixth of a small gemm call.
  bool is_typed_array = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  size_t offset = 0;
  if (napi_is_typedarray(env_, v, &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env_, v, &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != want)
    type_error(std::string(name) + " must be a " + type_name + ", got " + describe(v));
  bool detached = false;
  if (napi_is_detached_arraybuffer(env_, buffer, &detached) != napi_ok || detached)
    type_error(std::string(name) + " is backed by a detached ArrayBuffer");
  const int64_t len = static_cast<int64_t>(length);
  if (extent != nullptr && len != extent->count)
    range_error(std::string(name) + " must have " + std::to_string(extent->count) +
                " elements (" + extent->formula() + "), got " + std::to_string(len));
  *length_out = len;
  return data;
}

F32 Call::typed_f32(const Napi::Value& v, const char* name, const Extent* extent) const {
  int64_t length = 0;
  void* data = typed(v, name, extent, napi_float32_array, "Float32Array", &length);
  return F32{static_cast<float*>(data), length, name};
}

U8 Call::u8(size_t i, const char* name, const Extent& extent) const {
  int64_t length = 0;
  void* data = typed(info_[i], name, &extent, napi_uint8_array, "Uint8Array", &length);
  return U8{static_cast<uint8_t*>(data), length, name};
}

U8 Call::optional_u8(size_t i, const char* name, const Extent& extent) const {
  Napi::Value v = info_[i];
  if (v.IsUndefined() || v.IsNull()) return U8{nullptr, 0, name, false};
  return u8(i, name, extent);
}

F32 Call::f32(size_t i, const char* name, const Extent& extent) const {
  return typed_f32(info_[i], name, &extent);
}

F32 Call::any_f32(size_t i, const char* name) const {
  return typed_f32(info_[i], name, nullptr);
}

F32 Call::optional_f32(size_t i, const char* name, const Extent& extent) const {
  Napi::Value v = info_[i];
  if (v.IsUndefined() || v.IsNull()) return F32{nullptr, 0, name, false};
  return typed_f32(v, name, &extent);
}

double Call::number(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsNumber()) type_error(std::string(name) + " must be a number, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d))
    range_error(std::string(name) + " must be a finite number, got " + v.ToString().Utf8Value());
  return d;
}

// Whether two byte ranges share a byte (an empty one shares none).
static bool bytes_overlap(const void* a, int64_t a_bytes, const void* b, int64_t b_bytes) {
  if (a_bytes == 0 || b_bytes == 0) return false;
  const char* a0 = static_cast<const char*>(a);
  const char* b0 = static_cast<const char*>(b);
  return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

static bool overlaps(const F32& a, const F32& b) {
  return bytes_overlap(a.data, 4 * a.length, b.data, 4 * b.length);
}

void Call::require_disjoint(const char* out_name, const void* out, int64_t out_bytes, const char* in_name,
                            const void* in, int64_t in_bytes) const {
  if (bytes_overlap(out, out_bytes, in, in_bytes))
    range_error(std::string(out_name) + " must not share memory with " + in_name);
}

void Call::no_overlap(const U8& out, const F32& in) const {
  require_disjoint(out.name, out.data, out.length, in.name, in.data, 4 * in.length);
}

void Call::no_overlap(const F32& out, const U8& in) const {
  require_disjoint(out.name, out.data, 4 * out.length, in.name, in.data, in.length);
}

void Call::no_overlap(const F32& out, const F32& in) const {
  require_disjoint(out.name, out.data, 4 * out.length, in.name, in.data, 4 * in.length);
}

void Call::same_or_disjoint(const F32& out, const F32& in) const {
  if (overlaps(out, in) && !(out.data == in.data && out.length == in.length))
    range_error(std::string(out.name) + " must be either exactly " + in.name +
                " (in place) or not share memory with it");
}

namespace {

std::string entry_name(const char* list, size_t j) {
  return std::string(list) + "[" + std::to_string(j) + "]";
}

}  // namespace

F32List Call::f32_list(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsArray()) type_error(std::string(name) + " must be an Array of Float32Arrays, got " + describe(v));
  Napi::Array arr = v.As<Napi::Array>();
  F32List list;
  list.name = name;
  list.items.reserve(arr.Length());
  for (uint32_t j = 0; j < arr.Length(); ++j) {
    const std::string item = entry_name(name, j);
    list.items.push_back(typed_f32(arr.Get(j), item.c_str(), nullptr));
  }
  return list;
}

F32List Call::f32_list_like(size_t i, const char* name, const F32List& ref) const {
  Napi::Value v = info_[i];
  if (!v.IsArray())
    type_error(std::string(name) + " must be an Array of Float32Arrays, got " + describe(v));
  Napi::Array arr = v.As<Napi::Array>();
  if (int64_t(arr.Length()) != ref.size())
    range_error(std::string(name) + " must have " + std::to_string(ref.size()) + " entries (one per " + ref.name +
                " entry), got " + std::to_string(arr.Length()));
  F32List list;
  list.name = name;
  list.items.reserve(arr.Length());
  for (uint32_t j = 0; j < arr.Length(); ++j) {
    const std::string item = entry_name(name, j), ref_item = entry_name(ref.name, j);
    Extent e;
    e.count = ref.items[j].length;
    e.names[0] = ref_item.c_str();
    e.dims[0] = ref.items[j].length;
    e.rank = 1;
    e.suffix = ".length";
    list.items.push_back(typed_f32(arr.Get(j), item.c_str(), &e));
  }
  return list;
}

F32List Call::optional_f32_list_like(size_t i, const char* name, const F32List& ref) const {
  Napi::Value v = info_[i];
  if (v.IsUndefined() || v.IsNull()) {
    F32List empty;
    empty.name = name;
    return empty;
  }
  return f32_list_like(i, name, ref);
}

void Call::no_overlap(std::initializer_list<const F32List*> lists) const {
  // Sorted by start address, two arrays overlap only if some array runs into
  // the next one: n log n instead of comparing every pair.
  struct Span {
    const float* begin;
    const float* end;
    const char* list;
    size_t index;
    size_t rank;  // position across the lists: breaks ties between equal starts
  };
  std::vector<Span> spans;
  for (const F32List* l : lists)
    for (size_t j = 0; j < l->items.size(); ++j)
      if (l->items[j].length > 0)
        spans.push_back({l->items[j].data, l->items[j].data + l->items[j].length, l->name, j, spans.size()});
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.rank < b.rank;
  });
  for (size_t j = 1; j < spans.size(); ++j)
    if (spans[j].begin < spans[j - 1].end)
      range_error(entry_name(spans[j].list, spans[j].index) + " must not share memory with " +
                  entry_name(spans[j - 1].list, spans[j - 1].index));
}

}  // namespace convnode::napi
