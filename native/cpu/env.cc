// See env.h.
#include "cpu/env.h"

#include <cerrno>
#include <cstdlib>
#include <mutex>

namespace convnode {
namespace {

std::mutex& notes_mutex() {
  static std::mutex m;
  return m;
}

std::vector<std::string>& notes() {
  static std::vector<std::string> n;
  return n;
}

}  // namespace

std::optional<long long> env_whole_number(const char* name, long long lo, long long hi, const std::string& expected,
                                          const std::string& fallback) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(env, &end, 10);
  if (end != env && *end == '\0' && errno == 0 && v >= lo && v <= hi) return v;
  const std::lock_guard<std::mutex> lock(notes_mutex());
  notes().push_back(std::string(name) + "='" + env + "' is not " + expected + "; using " + fallback);
  return std::nullopt;
}

std::vector<std::string> env_notes() {
  const std::lock_guard<std::mutex> lock(notes_mutex());
  return notes();
}

}  // namespace convnode
