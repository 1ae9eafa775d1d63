// A campaign run's stable id: the first 16 hexadecimal digits (64 bits) of the SHA-256 (OpenSSL's
// libcrypto, Debian's libssl-dev; Python computes the same with hashlib) of the run's inputs written as
// netstrings, "<length>:<bytes>,": the scenario text as read, each override key.path=value in order,
// the seed in decimal, then the SHA-256 (64 lowercase hex digits) of each data file the scenario reads
// with those overrides (Scenario::data_files: driver, elevation, outage and failure CSVs, GeoJSON, SUMO
// files...), in the order the loader reads them. The same inputs give the same id on any machine;
// changing any of them (a space in the scenario, a byte of a CSV) gives another. A data file's name is
// not hashed, only its bytes: the name is in the text or an override already, and its resolved path
// depends on the folder the sweep is started from. Without data files the id is that of the text,
// overrides and seed alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace citytwin::sim::campaign {

std::string run_id(const std::string& scenario_text, const std::vector<std::string>& overrides, uint64_t seed,
                   const std::vector<std::string>& data_file_digests = {});

// The full SHA-256 of data, in lowercase hexadecimal (64 digits).
std::string sha256_hex(const std::string& data);
// The SHA-256 of a file's bytes, read in blocks; nullopt when it cannot be read.
std::optional<std::string> sha256_file_hex(const std::string& path);

}  // namespace citytwin::sim::campaign
