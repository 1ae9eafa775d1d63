#include "sim/campaign/run_id.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace citytwin::sim::campaign {
namespace {

void netstring(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_Digest)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string run_id(const std::string& scenario_text, const std::vector<std::string>& overrides,
                   uint64_t seed) {
  std::string data;
  netstring(data, scenario_text);
  for (const std::string& o : overrides) netstring(data, o);
  netstring(data, std::to_string(seed));
  return sha256_hex(data).substr(0, 16);
}

}  // namespace citytwin::sim::campaign
