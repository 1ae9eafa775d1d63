// Named random streams. Every stream is derived from (master seed, component id, purpose), never from
// creation order, so that adding a device or a thread does not shift anyone else's numbers.
// The generator is SplitMix64 used as a counter-based generator: value n of a stream is
// mix(key + n * golden), so a device's whole RNG state is one 64-bit counter.
// Source: G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014.
// Distributions are our own (not <random>'s), so results do not depend on the standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace citytwin::sim::core {

inline constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// SplitMix64's finaliser: its two multipliers are named for the vector form in sim/city/link_candidates.cpp.
inline constexpr uint64_t kMix64First = 0xbf58476d1ce4e5b9ULL, kMix64Second = 0x94d049bb133111ebULL;

inline constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * kMix64First;
  z = (z ^ (z >> 27)) * kMix64Second;
  return z ^ (z >> 31);
}

// Stable purpose tags: FNV-1a of the name, computed at compile time.
inline constexpr uint64_t purpose_tag(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

inline constexpr uint64_t stream_key(uint64_t seed, uint64_t purpose, uint64_t component) {
  return mix64(mix64(seed ^ mix64(purpose)) + component * kGolden);
}

// The n-th raw 64-bit value of a stream.
inline constexpr uint64_t stream_value(uint64_t key, uint64_t n) { return mix64(key + (n + 1) * kGolden); }

// Uniform in [0, 1) with 53 random bits.
inline double to_unit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// A stream with its own counter; cheap to copy. For per-device streams the fleet keeps only the
// counter and rebuilds the key from the device id.
class Stream {
 public:
  Stream(uint64_t seed, std::string_view purpose, uint64_t component)
      : key_(stream_key(seed, purpose_tag(purpose), component)) {}
  Stream(uint64_t key, uint64_t counter) : key_(key), counter_(counter) {}

  uint64_t next_u64() { return stream_value(key_, counter_++); }
  double uniform() { return to_unit(next_u64()); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Exponential with the given mean (inversion; 1 - u is in (0, 1]).
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  // Uniform integer in [0, n), n > 0: Lemire's multiply-shift on 32 random bits (bias below n / 2^32).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next_u64() >> 32) * n) >> 32); }
  uint64_t counter() const { return counter_; }
  uint64_t key() const { return key_; }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

}  // namespace citytwin::sim::core
