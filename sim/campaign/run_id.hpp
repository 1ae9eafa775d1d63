// A campaign run's stable id: the first 16 hexadecimal digits (64 bits) of the SHA-256 (OpenSSL's
// libcrypto, Debian's libssl-dev; Python computes the same with hashlib) of the run's inputs written as
// netstrings, "<length>:<bytes>,": the scenario text as read, each override key.path=value in order,
// then the seed in decimal. The same scenario text, overrides and seed give the same id on any machine;
// changing any of them (a space in the scenario included) gives another.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::sim::campaign {

std::string run_id(const std::string& scenario_text, const std::vector<std::string>& overrides,
                   uint64_t seed);

// The full SHA-256 of data, in lowercase hexadecimal (64 digits).
std::string sha256_hex(const std::string& data);

}  // namespace citytwin::sim::campaign
