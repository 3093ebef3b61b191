// The shapes of the tables in contract.gen.h, which is generated from
// lib/backend/contracts.ts: for each geometry (a kernel's options or shape
// object) its wire fields, and for each kernel its arguments, their
// lengths and which may share memory. guard.cc reads a call against them.
#pragma once

namespace convnode::napi {

// The most slots (wire fields + derived sizes) of any geometry.
constexpr int kMaxSlots = 24;

enum class FieldType { kInt, kNumber, kBool, kEnum };

// A wire field: an int in [min, max], a finite number, a bool (0 or 1), or
// an enum's index in [0, max].
struct Field {
  const char* name;  // as messages name it: "shape.n"
  FieldType type;
  double min;
  double max;
};

// Fills in the derived slots after the wire fields; returns a message when
// the geometry cannot work (the kernel must not run), else nullptr.
using Derive = const char* (*)(double* slots);

struct Geometry {
  const char* name;
  const Field* fields;
  int num_fields;  // on the wire, in this order
  int num_slots;   // fields, then derived sizes
  Derive derive;   // nullptr: nothing derived
};

enum class ArgType {
  kF32,      // Float32Array
  kU8,       // Uint8Array
  kTarget,   // Int32Array [rows] of class indices, or Float32Array [rows*cols]
  kNumber,   // a finite number
  kF32List,  // an Array of Float32Arrays
};

// One factor of an argument's length: a geometry slot, or the length of an
// earlier argument.
struct Term {
  int slot;  // >= 0: this slot
  int arg;   // >= 0: this argument's length
};

struct Arg {
  const char* name;
  ArgType type;
  bool optional;     // null / undefined accepted
  int required_if;   // slot that, when not 0, makes an optional argument required; -1: none
  bool or_one;       // one element accepted too
  int like;          // lists: entry j as long as this list's entry j; -1: any lengths
  int num_terms;     // 0: any length
  Term terms[4];
};

// out must not share memory with in; with in_place it may also be exactly in.
struct Overlap {
  int out;
  int in;
  bool in_place;
};

struct Kernel {
  const char* name;
  const Geometry* geometry;
  const Arg* args;
  int num_args;
  const Overlap* overlaps;
  int num_overlaps;
  const int* lists;  // arguments (lists) no two arrays of which may share memory
  int num_lists;
};

// The derived sizes, from the kernel library's own formulas (guard.cc).
const char* derive_conv2d(double* slots);
const char* derive_pool2d(double* slots);

}  // namespace convnode::napi
