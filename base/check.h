// CHECK: an always-on assertion for invariants (programmer errors).
// Bad input is never CHECKed; it is refused with a Result error.
#pragma once

#include <cstdio>
#include <cstdlib>

#define ECOLEDGER_CHECK(cond)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,          \
                   __LINE__, #cond);                                           \
      std::abort();                                                            \
    }                                                                          \
  } while (0)
