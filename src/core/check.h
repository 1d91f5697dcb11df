// Internal invariants. A failed CHECK is a bug in edgeforge, never a user error: user errors
// are reported with Status. Both operands are printed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace edgeforge::core {
[[noreturn]] inline void CheckFailed(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what.c_str());
  std::abort();
}
}  // namespace edgeforge::core

#define EF_CHECK(cond)                                                       \
  do {                                                                       \
    if (!(cond)) ::edgeforge::core::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)

#define EF_CHECK_OP(a, op, b)                                                     \
  do {                                                                            \
    const auto& ef_a_ = (a);                                                      \
    const auto& ef_b_ = (b);                                                      \
    if (!(ef_a_ op ef_b_)) {                                                      \
      std::ostringstream ef_os_;                                                  \
      ef_os_ << #a " " #op " " #b " (" << ef_a_ << " vs " << ef_b_ << ")";        \
      ::edgeforge::core::CheckFailed(__FILE__, __LINE__, ef_os_.str());           \
    }                                                                             \
  } while (0)

#define EF_CHECK_EQ(a, b) EF_CHECK_OP(a, ==, b)
#define EF_CHECK_NE(a, b) EF_CHECK_OP(a, !=, b)
#define EF_CHECK_LT(a, b) EF_CHECK_OP(a, <, b)
#define EF_CHECK_LE(a, b) EF_CHECK_OP(a, <=, b)
#define EF_CHECK_GT(a, b) EF_CHECK_OP(a, >, b)
#define EF_CHECK_GE(a, b) EF_CHECK_OP(a, >=, b)
