#include "guard.h"

#include <algorithm>
#include <cmath>

namespace convnode::napi {

// The largest element count of any tensor: a safe JavaScript integer.
constexpr int64_t kMaxElements = (int64_t(1) << 53) - 1;

// ---------------------------------------------------------------- derived sizes
// The same rules as lib/backend/geometry.ts, from the kernel library's own
// formulas; here only to keep kernels inside their arrays.

const char* derive_conv2d(double* s) {
  using namespace contract::conv2d;
  const auto d = [s](int i) { return static_cast<int64_t>(s[i]); };
  if (d(c) % d(groups) != 0) return "shape.c must be divisible by shape.groups";
  if (d(k) % d(groups) != 0) return "shape.k must be divisible by shape.groups";
  s[cg] = double(d(c) / d(groups));
  s[ho] = double(conv2d_output_size(d(h), d(kh), d(strideH), d(padH), d(dilationH)));
  s[wo] = double(conv2d_output_size(d(w), d(kw), d(strideW), d(padW), d(dilationW)));
  if (s[ho] < 1 || s[wo] < 1) return "the filter is larger than the padded input";
  return nullptr;
}

const char* derive_pool2d(double* s) {
  using namespace contract::pool2d;
  const auto d = [s](int i) { return static_cast<int64_t>(s[i]); };
  if (2 * d(padH) > d(kh) || 2 * d(padW) > d(kw)) return "the padding must be at most half of the window";
  s[ho] = double(pool2d_output_size(d(h), d(kh), d(strideH), d(padH), s[ceilMode] != 0));
  s[wo] = double(pool2d_output_size(d(w), d(kw), d(strideW), d(padW), s[ceilMode] != 0));
  if (s[ho] < 1 || s[wo] < 1) return "the window is larger than the padded input";
  return nullptr;
}

// ---------------------------------------------------------------- the guard

Guarded::Guarded(const Napi::CallbackInfo& info, const Kernel& kernel) : env_(info.Env()), kernel_(kernel) {
  read_geometry(info[0]);
  // First every JavaScript-visible read (list entries may be getters), then
  // the checks, with no JavaScript in between or after.
  napi_value args[kMaxArgs];
  for (int i = 0; i < kernel.num_args; ++i) {
    args[i] = info[i + 1];
    if (kernel.args[i].type == ArgType::kF32List) gather_list(i, args[i]);
  }
  for (int i = 0; i < kernel.num_args; ++i) check_arg(i, args[i]);
  check_overlaps();
}

void Guarded::type_error(const std::string& msg) const {
  throw Napi::TypeError::New(env_, std::string(kernel_.name) + ": " + msg);
}

void Guarded::range_error(const std::string& msg) const {
  throw Napi::RangeError::New(env_, std::string(kernel_.name) + ": " + msg);
}

namespace {

// One napi_get_typedarray_info for type, length and data (it fails for
// anything that is not a typed array).
bool typed_array_info(napi_env env, napi_value v, napi_typedarray_type* type, void** data, size_t* length) {
  return napi_get_typedarray_info(env, v, type, length, data, nullptr, nullptr) == napi_ok;
}

// Whether typed array v, of `length` elements, views a detached buffer.
// Detaching empties every view of the buffer, so a view with elements is
// not detached and costs no second N-API call (the 4-element kernel call).
bool detached_view(napi_env env, napi_value v, size_t length) {
  if (length > 0) return false;
  napi_value buffer;
  bool is_detached = false;
  if (napi_get_typedarray_info(env, v, nullptr, nullptr, nullptr, &buffer, nullptr) != napi_ok) return true;
  return napi_is_detached_arraybuffer(env, buffer, &is_detached) != napi_ok || is_detached;
}

}  // namespace

std::string describe(napi_env env, napi_value v) {
  napi_valuetype t = napi_undefined;
  napi_typeof(env, v, &t);
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_bigint: return "bigint";
    default: break;
  }
  napi_typedarray_type type;
  void* data;
  size_t length;
  if (typed_array_info(env, v, &type, &data, &length)) {
    static const char* const names[] = {"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array",
                                        "Uint16Array", "Int32Array", "Uint32Array", "Float32Array",
                                        "Float64Array", "BigInt64Array", "BigUint64Array"};
    return type >= 0 && type < int(sizeof names / sizeof *names) ? names[type] : "TypedArray";
  }
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  return is_array ? "Array" : "object";
}

bool Guarded::typed_array(napi_value v, napi_typedarray_type* type, void** data, size_t* length) const {
  return typed_array_info(env_, v, type, data, length);
}

void Guarded::read_geometry(napi_value baton) {
  const Geometry& g = *kernel_.geometry;
  napi_typedarray_type type;
  void* data = nullptr;
  size_t length = 0;
  if (!typed_array(baton, &type, &data, &length) || type != napi_float64_array)
    type_error(std::string("the geometry (argument 0) must be a Float64Array, got ") + describe(env_, baton));
  if (int64_t(length) != g.num_fields)
    range_error(std::string("the ") + g.name + " geometry must have " + std::to_string(g.num_fields) +
                " fields, got " + std::to_string(length));
  const double* wire = static_cast<const double*>(data);
  for (int i = 0; i < g.num_fields; ++i) {
    const Field& f = g.fields[i];
    const double v = wire[i];
    const bool ok = f.type == FieldType::kNumber
                        ? std::isfinite(v)
                        : std::isfinite(v) && std::floor(v) == v && v >= f.min && v <= f.max;
    if (!ok) range_error(std::string(f.name) + " is out of its range (" + std::to_string(v) + ")");
    slots_[i] = v;
  }
  if (g.derive != nullptr) {
    if (const char* why = g.derive(slots_)) range_error(why);
  }
}

void Guarded::gather_list(int arg, napi_value v) {
  bool is_array = false;
  if (napi_is_array(env_, v, &is_array) != napi_ok || !is_array) return;  // check_list says what is wrong
  uint32_t n = 0;
  napi_get_array_length(env_, v, &n);
  List& list = lists_[arg];
  list.values.resize(n);
  for (uint32_t j = 0; j < n; ++j) {
    // A getter that throws: its exception propagates.
    if (napi_get_element(env_, v, j, &list.values[j]) != napi_ok) throw Napi::Error::New(env_);
  }
}

bool Guarded::absent_allowed(int arg, napi_value v) const {
  napi_valuetype t = napi_undefined;
  napi_typeof(env_, v, &t);
  if (t != napi_undefined && t != napi_null) return false;
  const Arg& a = kernel_.args[arg];
  if (!a.optional)
    type_error(std::string(a.name) + " is required, got " + describe(env_, v));
  if (a.required_if >= 0 && slots_[a.required_if] != 0)
    type_error(std::string(a.name) + " is required when " + kernel_.geometry->fields[a.required_if].name +
               " is not 0, got " + describe(env_, v));
  return true;
}

int64_t Guarded::extent(int arg) const {
  const Arg& a = kernel_.args[arg];
  if (a.num_terms == 0) return -1;
  int64_t count = 1;
  for (int t = 0; t < a.num_terms; ++t) {
    const Term& term = a.terms[t];
    const int64_t d = term.slot >= 0 ? static_cast<int64_t>(slots_[term.slot]) : arrays_[term.arg].length;
    int64_t next;
    if (__builtin_mul_overflow(count, d, &next) || next > kMaxElements)
      range_error(std::string(a.name) + " would have more than 2^53 - 1 elements");
    count = next;
  }
  return count;
}

void Guarded::check_arg(int arg, napi_value v) {
  const Arg& a = kernel_.args[arg];
  switch (a.type) {
    case ArgType::kNumber: {
      double d = 0;
      if (napi_get_value_double(env_, v, &d) != napi_ok) type_error(std::string(a.name) + " must be a number, got " + describe(env_, v));
      if (!std::isfinite(d)) range_error(std::string(a.name) + " must be a finite number");
      numbers_[arg] = d;
      return;
    }
    case ArgType::kF32: return check_array(arg, v, napi_float32_array, "Float32Array");
    case ArgType::kU8: return check_array(arg, v, napi_uint8_array, "Uint8Array");
    case ArgType::kTarget: return check_target(arg, v);
    case ArgType::kF32List: return check_list(arg, v);
  }
}

void Guarded::check_array(int arg, napi_value v, napi_typedarray_type want, const char* type_name) {
  const Arg& a = kernel_.args[arg];
  napi_typedarray_type type;
  void* data = nullptr;
  size_t length = 0;
  if (!typed_array(v, &type, &data, &length)) {
    if (absent_allowed(arg, v)) return;
    type_error(std::string(a.name) + " must be a " + type_name + ", got " + describe(env_, v));
  }
  if (type != want) type_error(std::string(a.name) + " must be a " + type_name + ", got " + describe(env_, v));
  if (detached_view(env_, v, length)) type_error(std::string(a.name) + " is backed by a detached ArrayBuffer");
  const int64_t want_length = extent(arg);
  const int64_t len = static_cast<int64_t>(length);
  if (want_length >= 0 && len != want_length && !(a.or_one && len == 1))
    range_error(std::string(a.name) + " must have " + std::to_string(want_length) + " elements, got " + std::to_string(len));
  arrays_[arg] = Array{data, len, len * (want == napi_uint8_array ? 1 : 4), true};
}

void Guarded::check_target(int arg, napi_value v) {
  using namespace contract::rows;
  napi_typedarray_type type;
  void* data = nullptr;
  size_t length = 0;
  if (!typed_array(v, &type, &data, &length) || type != napi_int32_array) {
    check_array(arg, v, napi_float32_array, "Float32Array");  // distributions, rows * cols
    return;
  }
  if (detached_view(env_, v, length)) type_error("target is backed by a detached ArrayBuffer");
  const int64_t n = dim(rows), classes = dim(cols);
  if (int64_t(length) != n) range_error("target must have " + std::to_string(n) + " class indices, got " + std::to_string(length));
  // Copied once, then checked: the kernel reads only the copy.
  const int32_t* labels = static_cast<const int32_t*>(data);
  labels_.assign(labels, labels + n);
  for (int64_t r = 0; r < n; ++r)
    if (labels_[r] < 0 || labels_[r] >= classes)
      range_error("target[" + std::to_string(r) + "] must be a class index in [0, " + std::to_string(classes) + ")");
  arrays_[arg] = Array{data, n, 4 * n, true};
}

ClassTarget Guarded::target(int arg) const {
  ClassTarget t;
  if (!labels_.empty()) t.labels = labels_.data();
  else t.probs = f32(arg);
  return t;
}

void Guarded::check_list(int arg, napi_value v) {
  const Arg& a = kernel_.args[arg];
  if (absent_allowed(arg, v)) return;
  bool is_array = false;
  if (napi_is_array(env_, v, &is_array) != napi_ok || !is_array)
    type_error(std::string(a.name) + " must be an Array of Float32Arrays, got " + describe(env_, v));
  List& list = lists_[arg];
  const size_t n = list.values.size();
  if (a.like >= 0 && n != lists_[a.like].data.size())
    range_error(std::string(a.name) + " must have as many entries as " + kernel_.args[a.like].name);
  list.data.resize(n);
  list.lengths.resize(n);
  for (size_t j = 0; j < n; ++j) {
    const auto entry = [&] { return std::string(a.name) + "[" + std::to_string(j) + "]"; };
    napi_typedarray_type type;
    void* data = nullptr;
    size_t length = 0;
    if (!typed_array(list.values[j], &type, &data, &length) || type != napi_float32_array)
      type_error(entry() + " must be a Float32Array, got " + describe(env_, list.values[j]));
    if (detached_view(env_, list.values[j], length)) type_error(entry() + " is backed by a detached ArrayBuffer");
    if (a.like >= 0 && int64_t(length) != lists_[a.like].lengths[j])
      range_error(entry() + " must have " + std::to_string(lists_[a.like].lengths[j]) + " elements, got " + std::to_string(length));
    list.data[j] = static_cast<float*>(data);
    list.lengths[j] = static_cast<int64_t>(length);
  }
}

namespace {

bool bytes_overlap(const void* a, int64_t a_bytes, const void* b, int64_t b_bytes) {
  if (a_bytes == 0 || b_bytes == 0) return false;
  const char* a0 = static_cast<const char*>(a);
  const char* b0 = static_cast<const char*>(b);
  return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

}  // namespace

void Guarded::check_overlaps() const {
  for (int i = 0; i < kernel_.num_overlaps; ++i) {
    const Overlap& o = kernel_.overlaps[i];
    const Array& out = arrays_[o.out];
    const Array& in = arrays_[o.in];
    if (!out.present || !in.present || !bytes_overlap(out.data, out.bytes, in.data, in.bytes)) continue;
    if (o.in_place && out.data == in.data && out.bytes == in.bytes) continue;
    range_error(std::string(kernel_.args[o.out].name) + " must not share memory with " + kernel_.args[o.in].name);
  }
  if (kernel_.num_lists == 0) return;
  // Sorted by start address, two arrays overlap only if one runs into the next.
  struct Span {
    const char* begin;
    const char* end;
    int list;
    size_t index;
  };
  std::vector<Span> spans;
  for (int l = 0; l < kernel_.num_lists; ++l) {
    const List& list = lists_[kernel_.lists[l]];
    for (size_t j = 0; j < list.data.size(); ++j)
      if (list.lengths[j] > 0) {
        const char* p = reinterpret_cast<const char*>(list.data[j]);
        spans.push_back({p, p + 4 * list.lengths[j], kernel_.lists[l], j});
      }
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (size_t j = 1; j < spans.size(); ++j)
    if (spans[j].begin < spans[j - 1].end)
      range_error(std::string(kernel_.args[spans[j].list].name) + "[" + std::to_string(spans[j].index) +
                  "] must not share memory with " + kernel_.args[spans[j - 1].list].name + "[" +
                  std::to_string(spans[j - 1].index) + "]");
}

}  // namespace convnode::napi
