// Stores that bypass this core's caches (non-temporal: x86's MOVNTDQ), for an array one thread writes and
// another reads right after, round after round: an ordinary store first takes the line from the reader's
// cache, where the last round left it, and waits for it; a streaming store only writes, the reader's copy
// dropped as the line is written back. stream_fence() orders them before what follows (the release that
// hands the array over). Elsewhere than x86-64, ordinary stores.
#pragma once

#include <cstring>
#include <type_traits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace citytwin::sim::core {

// *dst = value, for a trivially copyable value of 32 bytes at a 32-byte boundary.
template <class T>
inline void stream_store(T* dst, const T& value) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) == 32 && alignof(T) >= 32);
#if defined(__x86_64__)
  __m128i half[2];
  std::memcpy(half, &value, sizeof(T));
  auto* out = reinterpret_cast<__m128i*>(dst);
  _mm_stream_si128(out, half[0]);
  _mm_stream_si128(out + 1, half[1]);
#else
  *dst = value;
#endif
}

// Orders the streaming stores before every later store (call before handing the array to another thread).
inline void stream_fence() {
#if defined(__x86_64__)
  _mm_sfence();
#endif
}

}  // namespace citytwin::sim::core
