#include "models/fibre/gpon_framing.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace citytwin::models::fibre {

namespace {

// G.984.2 Table I.1: (upstream line rate in bit/s, guard + preamble + delimiter in bits).
constexpr std::array<std::pair<double, double>, 4> kBurstModeOverhead = {
    {{155.52e6, 32.0}, {622.08e6, 64.0}, {1244.16e6, 96.0}, {2488.32e6, 192.0}}};

void check_frame(const char* who, double line_rate_bps, int onus, double frame_bytes) {
  if (!(line_rate_bps > 0.0))
    throw std::invalid_argument(std::string(who) + ": line rate must be > 0, got " +
                                std::to_string(line_rate_bps));
  if (onus < 1)
    throw std::invalid_argument(std::string(who) + ": at least one ONU expected, got " +
                                std::to_string(onus));
  if (!(frame_bytes > 0.0))
    throw std::invalid_argument(std::string(who) + ": frame size must be > 0 bytes, got " +
                                std::to_string(frame_bytes));
}

// (1 - overhead / frame) x L / (L + 5), or an error when the overheads leave no payload.
double efficiency(const char* who, double frame_line_bytes, double overhead_bytes, double frame_bytes) {
  const double payload_share = 1.0 - overhead_bytes / frame_line_bytes;
  if (!(payload_share > 0.0)) {
    throw std::invalid_argument(std::string(who) + ": the GTC overheads (" + std::to_string(overhead_bytes) +
                                " bytes) fill the " + std::to_string(frame_line_bytes) +
                                "-byte 125 us frame: no payload left");
  }
  return payload_share * frame_bytes / (frame_bytes + kGemHeaderBytes);
}

}  // namespace

double gpon_burst_mode_overhead_bits(double upstream_line_bps) {
  if (!(upstream_line_bps > 0.0))
    throw std::invalid_argument("gpon_burst_mode_overhead_bits: line rate must be > 0");
  const auto* nearest = &kBurstModeOverhead.front();
  for (const auto& entry : kBurstModeOverhead)
    if (std::abs(std::log(upstream_line_bps / entry.first)) <
        std::abs(std::log(upstream_line_bps / nearest->first)))
      nearest = &entry;
  return nearest->second;
}

double gpon_burst_overhead_bytes(const GponUpstream& upstream) {
  return gpon_burst_mode_overhead_bits(upstream.line_rate_bps) / 8.0 + kPlouHeaderBytes +
         (upstream.ploamu_every_burst ? kPloamBytes : 0.0) +
         (upstream.dbru_every_burst ? kDbruMode0Bytes : 0.0);
}

double gtc_frame_bytes(double line_rate_bps) { return line_rate_bps * kGtcFrameS / 8.0; }

double gpon_upstream_overhead_bytes(const GponUpstream& upstream) {
  return upstream.onus * (gpon_burst_overhead_bytes(upstream) + kGemHeaderBytes);
}

double gpon_upstream_efficiency(const GponUpstream& upstream, double frame_bytes) {
  check_frame("gpon_upstream_efficiency", upstream.line_rate_bps, upstream.onus, frame_bytes);
  return efficiency("gpon_upstream_efficiency", gtc_frame_bytes(upstream.line_rate_bps),
                    gpon_upstream_overhead_bytes(upstream), frame_bytes);
}

double gpon_upstream_payload_bps(const GponUpstream& upstream, double frame_bytes) {
  return gpon_upstream_efficiency(upstream, frame_bytes) * upstream.line_rate_bps;
}

double gpon_downstream_efficiency(double line_rate_bps, int allocations, double frame_bytes) {
  check_frame("gpon_downstream_efficiency", line_rate_bps, allocations, frame_bytes);
  const double frame_line_bytes = gtc_frame_bytes(line_rate_bps);
  const double overhead = kPcbdFixedBytes + kBwmapAllocationBytes * allocations + kGemHeaderBytes;
  return efficiency("gpon_downstream_efficiency", frame_line_bytes, overhead, frame_bytes);
}

double gpon_downstream_payload_bps(double line_rate_bps, int allocations, double frame_bytes) {
  return gpon_downstream_efficiency(line_rate_bps, allocations, frame_bytes) * line_rate_bps;
}

}  // namespace citytwin::models::fibre
