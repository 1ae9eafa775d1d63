// What the set-up's AVX-512 paths share (the link candidates and their gains, sim/city/link_candidates.cpp;
// the correlated field's nodes, sim/city/shadowing_field.cpp): CITYTWIN_LINK_AVX512 where the compiler can
// build them (x86-64, GCC or Clang; each path asks the processor at run time, GatewayGrid::vector_available),
// core::mix64 on eight lanes, and with glibc's vector maths (CITYTWIN_HAVE_LIBMVEC, set by
// sim/CMakeLists.txt) CITYTWIN_LINK_GAINS_AVX512 and libmvec's functions. For .cpp files only: it silences a
// GCC 12 warning for the rest of the file. Such a file must be compiled with -ffp-contract=off, so that its
// vector path rounds a product and a sum apart as the scalar path does.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#define CITYTWIN_LINK_AVX512 1
#include <immintrin.h>
// GCC 12's AVX-512 headers start their results from _mm512_undefined_*() and then warn that they may be
// used uninitialised where they are inlined (GCC bug 105593, fixed in GCC 13).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "sim/core/rng.hpp"

namespace citytwin::sim::city {

// core::mix64 (SplitMix64's finaliser) on eight lanes: the same bits.
__attribute__((target("avx512f,avx512dq"))) inline __m512i mix64_x8(__m512i z) {
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)),
                         _mm512_set1_epi64(static_cast<long long>(core::kMix64First)));
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)),
                         _mm512_set1_epi64(static_cast<long long>(core::kMix64Second)));
  return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

}  // namespace citytwin::sim::city
#endif

#if defined(CITYTWIN_LINK_AVX512) && defined(CITYTWIN_HAVE_LIBMVEC)
#define CITYTWIN_LINK_GAINS_AVX512 1
// glibc's vector maths (libmvec, since 2.22; log10 since 2.35), in the x86-64 vector function ABI's names
// for eight doubles in a zmm register ("e": AVX-512). Within 4 ulp (glibc manual, "Known Maximum Errors
// in Math Functions").
extern "C" {
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_log(__m512d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_log10(__m512d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_cos(__m512d);
}
#endif
