#include "sim/core/huge_pages.hpp"

namespace citytwin::sim::core {

std::atomic<bool> huge_pages_wanted{false};

}  // namespace citytwin::sim::core
