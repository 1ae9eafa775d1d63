// A std::vector whose resize() leaves new elements of a trivial type uninitialised (default-initialised,
// not zeroed): an array about to be filled in parallel is not first written end to end by one thread,
// and its pages are faulted in by the threads that fill it, as they fill it (a block of memory the
// system hands out is not resident until written). Otherwise a std::vector: same members, same
// iterators; values given to it (push_back, assign, an initialiser list) are stored as usual.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace citytwin::sim::core {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;  // default-initialised: no value for a trivial type
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T>
using UninitialisedVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace citytwin::sim::core
