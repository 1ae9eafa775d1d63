// The radio access technologies of the city, one enum for the whole project: the catalogue, the
// scenario, the engine and the trace (/messages/radio) all use this one, with these codes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace citytwin::models::radio {

enum class Technology : uint8_t { LoRaWAN = 0, NbIot = 1, WiFi = 2 };

// The names scenarios, the catalogue and the trace use, in code order: "lorawan", "nbiot", "wifi".
inline constexpr std::array<std::string_view, 3> kTechnologyNames = {"lorawan", "nbiot", "wifi"};

constexpr const char* to_string(Technology t) {
  switch (t) {
    case Technology::LoRaWAN:
      return "lorawan";
    case Technology::NbIot:
      return "nbiot";
    case Technology::WiFi:
      return "wifi";
  }
  return "?";
}

// The technology a name stands for (exactly as in kTechnologyNames), or nullopt.
constexpr std::optional<Technology> parse_technology(std::string_view name) {
  for (size_t i = 0; i < kTechnologyNames.size(); ++i)
    if (kTechnologyNames[i] == name) return static_cast<Technology>(i);
  return std::nullopt;
}

}  // namespace citytwin::models::radio
