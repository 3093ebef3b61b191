// convnode's MPI glue (convnode/distributed): a small N-API module built
// against the system's MPI when it has one (native/mpi/binding.gyp, built by
// scripts/install.js when `mpicc` is found). It only moves numbers: the
// data-parallel logic lives in TypeScript (lib/distributed/).
//
// Threads: MPI is initialised once per process with MPI_THREAD_SERIALIZED.
// convnode calls it from one thread at a time (the main thread, or fit's
// training worker while the main thread awaits it); every call is made
// under one mutex all the same, so a script that breaks that rule waits
// instead of corrupting MPI's state.
//
// Buffers: a non-blocking allreduce keeps its typed array alive with a
// reference until it is tested or waited to completion; the array must
// live in a SharedArrayBuffer (its memory never moves).
// The C API only: the deprecated C++ bindings would need libmpi_cxx (binding.gyp defines *_SKIP_MPICXX).
#include <mpi.h>
#include <node_api.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace {

std::mutex g_mpi;
bool g_initialized = false;
bool g_finalized = false;
int g_rank = 0, g_size = 1, g_local_rank = 0, g_local_size = 1, g_provided = 0;

struct Pending {
  MPI_Request request = MPI_REQUEST_NULL;
  napi_ref keep = nullptr;
  napi_env env = nullptr;
  bool live = false;
};
std::vector<Pending> g_pending;

napi_value Throw(napi_env env, const std::string& message, const char* code = "CONVNODE_MPI") {
  napi_throw_error(env, code, message.c_str());
  return nullptr;
}

std::string MpiError(int rc) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return std::string(text, static_cast<size_t>(len));
}

bool Ready(napi_env env) {
  if (!g_initialized) {
    Throw(env, "MPI is not initialised: call init() first");
    return false;
  }
  if (g_finalized) {
    Throw(env, "MPI was finalised: no MPI call can follow finalize()");
    return false;
  }
  return true;
}

bool Check(napi_env env, int rc, const char* what) {
  if (rc == MPI_SUCCESS) return true;
  Throw(env, std::string(what) + " failed: " + MpiError(rc));
  return false;
}

struct Array {
  void* data = nullptr;
  size_t count = 0;
  MPI_Datatype type = MPI_DATATYPE_NULL;
  bool shared = false;
};

// A typed array argument: its memory, element count and MPI type.
bool GetArray(napi_env env, napi_value v, const char* name, Array* out) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  if (!is_typed) {
    Throw(env, std::string(name) + " must be a typed array", "ERR_INVALID_ARG_TYPE");
    return false;
  }
  napi_typedarray_type t;
  size_t length = 0, offset = 0;
  napi_value buffer;
  void* data = nullptr;
  napi_get_typedarray_info(env, v, &t, &length, &data, &buffer, &offset);
  switch (t) {
    case napi_float32_array: out->type = MPI_FLOAT; break;
    case napi_float64_array: out->type = MPI_DOUBLE; break;
    case napi_int32_array: out->type = MPI_INT; break;
    case napi_uint8_array: out->type = MPI_UNSIGNED_CHAR; break;
    default:
      Throw(env, std::string(name) + " must be a Float32Array, Float64Array, Int32Array or Uint8Array", "ERR_INVALID_ARG_TYPE");
      return false;
  }
  bool is_ab = false;
  napi_is_arraybuffer(env, buffer, &is_ab);
  out->shared = !is_ab;  // N-API reports a SharedArrayBuffer as not an ArrayBuffer
  out->data = data;
  out->count = length;
  if (length > static_cast<size_t>(INT32_MAX)) {
    Throw(env, std::string(name) + " is too long for one MPI call (2^31 elements at most)", "ERR_OUT_OF_RANGE");
    return false;
  }
  return true;
}

bool GetOp(napi_env env, napi_value v, MPI_Op* op) {
  char text[8] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, text, sizeof text, &len) != napi_ok) {
    Throw(env, "op must be 'sum', 'max' or 'min'", "ERR_INVALID_ARG_TYPE");
    return false;
  }
  if (std::strcmp(text, "sum") == 0) *op = MPI_SUM;
  else if (std::strcmp(text, "max") == 0) *op = MPI_MAX;
  else if (std::strcmp(text, "min") == 0) *op = MPI_MIN;
  else {
    Throw(env, std::string("op must be 'sum', 'max' or 'min', got '") + text + "'", "ERR_INVALID_ARG_VALUE");
    return false;
  }
  return true;
}

napi_value Int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

napi_value Bool(napi_env env, bool v) {
  napi_value out;
  napi_get_boolean(env, v, &out);
  return out;
}

size_t Args(napi_env env, napi_callback_info info, napi_value* argv, size_t max) {
  size_t argc = max;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return argc;
}

// init() -> { rank, size, localRank, localSize, threadLevel, library }
napi_value Init(napi_env env, napi_callback_info) {
  std::lock_guard<std::mutex> lock(g_mpi);
  if (g_finalized) return Throw(env, "MPI was finalised: it cannot be initialised again in this process");
  if (!g_initialized) {
    int already = 0;
    MPI_Initialized(&already);
    if (!already && !Check(env, MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &g_provided), "MPI_Init_thread")) return nullptr;
    if (already) MPI_Query_thread(&g_provided);
    if (g_provided < MPI_THREAD_SERIALIZED) {
      return Throw(env, "this MPI library gives MPI_THREAD_SINGLE or FUNNELED; convnode needs MPI_THREAD_SERIALIZED (its training runs in a worker thread)");
    }
    // Errors come back as return codes (turned into exceptions), not as aborts.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_rank, MPI_INFO_NULL, &local);
    MPI_Comm_rank(local, &g_local_rank);
    MPI_Comm_size(local, &g_local_size);
    MPI_Comm_free(&local);
    g_initialized = true;
  }
  char library[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(library, &len);
  std::string lib(library, static_cast<size_t>(len));
  if (auto nl = lib.find('\n'); nl != std::string::npos) lib.resize(nl);
  napi_value out, s;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "rank", Int(env, g_rank));
  napi_set_named_property(env, out, "size", Int(env, g_size));
  napi_set_named_property(env, out, "localRank", Int(env, g_local_rank));
  napi_set_named_property(env, out, "localSize", Int(env, g_local_size));
  napi_create_string_utf8(env, g_provided >= MPI_THREAD_MULTIPLE ? "multiple" : "serialized", NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, out, "threadLevel", s);
  napi_create_string_utf8(env, lib.c_str(), NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, out, "library", s);
  return out;
}

napi_value Finalize(napi_env env, napi_callback_info) {
  std::lock_guard<std::mutex> lock(g_mpi);
  if (!g_initialized || g_finalized) return nullptr;
  for (auto& p : g_pending) {
    if (p.live) return Throw(env, "finalize(): a non-blocking allreduce is still in flight; wait() for it first");
  }
  g_finalized = true;
  Check(env, MPI_Finalize(), "MPI_Finalize");
  return nullptr;
}

napi_value Abort(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t code = 1;
  if (Args(env, info, argv, 1) >= 1) napi_get_value_int32(env, argv[0], &code);
  // No lock: another thread may hold it inside a collective that will never end.
  if (g_initialized && !g_finalized) MPI_Abort(MPI_COMM_WORLD, code);
  return nullptr;
}

napi_value Barrier(napi_env env, napi_callback_info) {
  std::lock_guard<std::mutex> lock(g_mpi);
  if (!Ready(env)) return nullptr;
  Check(env, MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
  return nullptr;
}

// allreduce(array, op): in place, blocking.
napi_value Allreduce(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (Args(env, info, argv, 2) < 2) return Throw(env, "allreduce(array, op) takes 2 arguments", "ERR_MISSING_ARGS");
  Array a;
  MPI_Op op;
  if (!GetArray(env, argv[0], "array", &a) || !GetOp(env, argv[1], &op)) return nullptr;
  std::lock_guard<std::mutex> lock(g_mpi);
  if (!Ready(env)) return nullptr;
  Check(env, MPI_Allreduce(MPI_IN_PLACE, a.data, static_cast<int>(a.count), a.type, op, MPI_COMM_WORLD), "MPI_Allreduce");
  return nullptr;
}

// broadcast(array, root): in place, blocking.
napi_value Broadcast(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (Args(env, info, argv, 2) < 2) return Throw(env, "broadcast(array, root) takes 2 arguments", "ERR_MISSING_ARGS");
  Array a;
  int32_t root = 0;
  if (!GetArray(env, argv[0], "array", &a)) return nullptr;
  napi_get_value_int32(env, argv[1], &root);
  std::lock_guard<std::mutex> lock(g_mpi);
  if (!Ready(env)) return nullptr;
  if (root < 0 || root >= g_size) return Throw(env, "root must be a rank in [0, " + std::to_string(g_size) + "), got " + std::to_string(root), "ERR_OUT_OF_RANGE");
  Check(env, MPI_Bcast(a.data, static_cast<int>(a.count), a.type, root, MPI_COMM_WORLD), "MPI_Bcast");
  return nullptr;
}

// iallreduce(array): starts a sum in place; returns a request number.
napi_value Iallreduce(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (Args(env, info, argv, 1) < 1) return Throw(env, "iallreduce(array) takes 1 argument", "ERR_MISSING_ARGS");
  Array a;
  if (!GetArray(env, argv[0], "array", &a)) return nullptr;
  if (!a.shared) return Throw(env, "iallreduce: the array must live in a SharedArrayBuffer (its memory must not move while MPI works on it)", "ERR_INVALID_ARG_TYPE");
  std::lock_guard<std::mutex> lock(g_mpi);
  if (!Ready(env)) return nullptr;
  size_t slot = 0;
  while (slot < g_pending.size() && g_pending[slot].live) slot++;
  if (slot == g_pending.size()) g_pending.emplace_back();
  Pending& p = g_pending[slot];
  if (!Check(env, MPI_Iallreduce(MPI_IN_PLACE, a.data, static_cast<int>(a.count), a.type, MPI_SUM, MPI_COMM_WORLD, &p.request), "MPI_Iallreduce")) return nullptr;
  napi_create_reference(env, argv[0], 1, &p.keep);
  p.env = env;
  p.live = true;
  return Int(env, static_cast<int64_t>(slot));
}

Pending* GetPending(napi_env env, napi_value v) {
  int64_t id = -1;
  napi_get_value_int64(env, v, &id);
  if (id < 0 || static_cast<size_t>(id) >= g_pending.size() || !g_pending[id].live) {
    Throw(env, "no such request in flight: " + std::to_string(id), "ERR_INVALID_ARG_VALUE");
    return nullptr;
  }
  return &g_pending[id];
}

void Release(Pending* p) {
  napi_delete_reference(p->env, p->keep);
  p->keep = nullptr;
  p->live = false;
}

// The request argument of test() and wait(), with MPI ready; the caller holds g_mpi.
Pending* RequestArg(napi_env env, napi_callback_info info, const char* usage) {
  napi_value argv[1];
  if (Args(env, info, argv, 1) < 1) {
    Throw(env, std::string(usage) + " takes 1 argument", "ERR_MISSING_ARGS");
    return nullptr;
  }
  return Ready(env) ? GetPending(env, argv[0]) : nullptr;
}

// test(request) -> true when done (the request is then gone); drives MPI's progress.
napi_value Test(napi_env env, napi_callback_info info) {
  std::lock_guard<std::mutex> lock(g_mpi);
  Pending* p = RequestArg(env, info, "test(request)");
  if (p == nullptr) return nullptr;
  int done = 0;
  if (!Check(env, MPI_Test(&p->request, &done, MPI_STATUS_IGNORE), "MPI_Test")) return nullptr;
  if (done) Release(p);
  return Bool(env, done != 0);
}

// wait(request): blocks until done.
napi_value Wait(napi_env env, napi_callback_info info) {
  std::lock_guard<std::mutex> lock(g_mpi);
  Pending* p = RequestArg(env, info, "wait(request)");
  if (p == nullptr) return nullptr;
  int rc = MPI_Wait(&p->request, MPI_STATUS_IGNORE);
  Release(p);
  Check(env, rc, "MPI_Wait");
  return nullptr;
}

napi_value Wtime(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_double(env, MPI_Wtime(), &out);
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor fns[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"finalize", nullptr, Finalize, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"abort", nullptr, Abort, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"barrier", nullptr, Barrier, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"allreduce", nullptr, Allreduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"broadcast", nullptr, Broadcast, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"iallreduce", nullptr, Iallreduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"test", nullptr, Test, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wait", nullptr, Wait, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wtime", nullptr, Wtime, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}
