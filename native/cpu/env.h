// Runtime settings read from the environment (CONVNODE_NUM_THREADS,
// CONVNODE_SCRATCH_LIMIT_MB): one reader, and one list of the variables that
// were set but could not be used, which the binding reports as warnings.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace convnode {

// `name` as a whole number in [lo, hi]; nothing when it is unset or empty.
// A value that is set but not such a number is noted ("NAME='v' is not
// <expected>; using <fallback>") and gives nothing too.
std::optional<long long> env_whole_number(const char* name, long long lo, long long hi, const std::string& expected,
                                          const std::string& fallback);

// The notes so far. Settings are read when first used; the binding reads
// them all (thread_setting, scratch_limit_bytes) before asking.
std::vector<std::string> env_notes();

}  // namespace convnode
