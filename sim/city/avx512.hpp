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
#include <numbers>

// glibc's vector maths (libmvec, since 2.22; log10 since 2.35), in the x86-64 vector function ABI's names
// for eight doubles in a zmm register ("e": AVX-512). Within 4 ulp (glibc manual, "Known Maximum Errors
// in Math Functions").
extern "C" {
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_log(__m512d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_log10(__m512d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_cos(__m512d);
}

namespace citytwin::sim::city {

// standard_normal_draw's value of eight pairs of hashes (sim/city/link_index.hpp), u1 and u2 the stream's
// second and first values: models::radio::gaussian_from_uniforms' operations in its order (to_unit as the
// top 53 bits converted exactly and scaled by 2^-53; 2 pi u2 as (2 pi) u2, as the scalar's constant is
// folded), only the logarithm and the cosine libmvec's. For the links' gains (LinkGains::compute) and the
// correlated field's nodes (ShadowingField::standard_normals).
__attribute__((target("avx512f,avx512dq"))) inline __m512d standard_normal_x8(__m512i u1_bits,
                                                                              __m512i u2_bits) {
  const __m512d unit = _mm512_set1_pd(0x1.0p-53);
  const __m512d u1 = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(u1_bits, 11)), unit);
  const __m512d u2 = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(u2_bits, 11)), unit);
  const __m512d radius = _mm512_sqrt_pd(
      _mm512_mul_pd(_mm512_set1_pd(-2.0), _ZGVeN8v_log(_mm512_sub_pd(_mm512_set1_pd(1.0), u1))));
  return _mm512_mul_pd(radius, _ZGVeN8v_cos(_mm512_mul_pd(_mm512_set1_pd(2.0 * std::numbers::pi), u2)));
}

}  // namespace citytwin::sim::city
#endif
