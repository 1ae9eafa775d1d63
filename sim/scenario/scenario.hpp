// The scenario, read once from YAML into typed structs with SI units (seconds, metres, hertz, dBm,
// bits per second, mAh, mA). Every default lives here, in the initialisers; docs/SCENARIO.md is
// checked against them by tests/sim/scenario_doc_test.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/radio/lorawan_region.hpp"
#include "models/radio/nbiot_phy.hpp"
#include "models/radio/nbiot_power.hpp"
#include "models/radio/path_loss.hpp"
#include "models/radio/reception.hpp"
#include "models/radio/wifi.hpp"
#include "sim/scenario/attack_spec.hpp"
#include "sim/scenario/device_spec.hpp"
#include "sim/scenario/district_shape.hpp"
#include "sim/scenario/driver_spec.hpp"
#include "sim/scenario/geo_frame.hpp"
#include "sim/scenario/infrastructure_spec.hpp"
#include "sim/scenario/plan_spec.hpp"
#include "sim/scenario/section_use.hpp"
#include "sim/scenario/source_mark.hpp"
#include "sim/scenario/traffic_spec.hpp"

namespace citytwin::sim::scenario {

// A district is an axis-aligned rectangle in city coordinates (metres, origin south-west), or polygons
// with holes (city.districts_geojson), then x/y min/max are their bounding box.
struct District {
  std::string name;
  double x_min_m = 0.0;
  double y_min_m = 0.0;
  double x_max_m = 0.0;
  double y_max_m = 0.0;
  std::shared_ptr<const DistrictShape> shape = nullptr;  // null for a rectangle
  double area_m2() const { return shape ? shape->area_m2() : (x_max_m - x_min_m) * (y_max_m - y_min_m); }
  bool contains(double x_m, double y_m) const {
    return x_m >= x_min_m && x_m <= x_max_m && y_m >= y_min_m && y_m <= y_max_m &&
           (!shape || shape->covers(x_m, y_m));
  }
};

struct City {
  std::string name = "city";
  GeoOrigin origin;  // city.origin: where (0 m, 0 m) lies on the Earth
  std::vector<District> districts;
};

// Radio propagation and reception, shared by all gateways (defaults and sources in models/radio/).
struct RadioChannel {
  models::radio::Region region = models::radio::Region::EU868;
  models::radio::LogDistancePathLoss path_loss;
  // Log-normal shadowing per device-gateway link, drawn once (static links); 0 dB turns it off.
  double shadowing_sigma_db = 0.0;
  // radio.shadowing.correlation_distance: 0 (left out) draws each link's shadowing independently of every
  // other's; > 0, the decorrelation distance d_c of a spatially correlated field per gateway (the links of
  // nearby devices to one gateway fade together, correlation about exp(-d / d_c): the e^-1 convention of
  // Gudmundson 1991 and 3GPP TR 38.901 7.4.4; sim/city/shadowing_field.hpp).
  double shadowing_correlation_m = 0.0;
  std::optional<SourceMark> shadowing_correlation_mark;  // where it was written (resolve warns without sigma)
  // The coverage KPIs' criterion for a place (sim/plan/coverage_reach.hpp): covered when a device there is
  // heard at this share of locations, the shadowing and penetration spread taken as log-normal (a margin of
  // Phi^-1(p) sigma: 1.28 sigma at the planners' usual 90 %). It changes no frame of the run, only the
  // coverage figures.
  double location_probability = 0.9;
  models::radio::CaptureRule capture;
  // Frames on different SFs: orthogonal (no interference), or the SIR thresholds of Goursaud & Gorce
  // 2015 (as ns-3) or Croce et al. 2018 (as FLoRa), pairwise (models/radio/interference.hpp).
  enum class InterSf { Orthogonal, Goursaud, Croce } inter_sf = InterSf::Orthogonal;
  // How a frame's SIR is judged against those thresholds: against each overlapping frame on its own
  // (pairwise, as FLoRa and LoRaSim), or against the energy of all overlapping frames summed per SF
  // over the frame (cumulative, as ns-3's LoraInterferenceHelper: Magrin et al., ICC 2017).
  enum class Interference { Pairwise, Cumulative } interference = Interference::Pairwise;
  std::array<double, 6> gateway_sensitivity_dbm = models::radio::kSx1301SensitivityDbm;  // SF7..SF12, 125 kHz
  double noise_figure_db = 6.0;  // gateway receiver, for the SNR column and ADR
  // Where a LoRa frame is received: at every gateway that hears it (exact), or, approximations, only at
  // the strongest_k gateways of its strongest links: it is neither received nor interferes at the others,
  // where it still holds a free demodulation path (strongest) or does nothing at all (strongest_only)
  // (sim/access/strongest_links.hpp says what that ignores; docs/SCENARIO.md, bench/RESULTS.md its error).
  enum class Receptions { Exact, Strongest, StrongestOnly } receptions = Receptions::Exact;
  int strongest_k = 8;                         // with receptions: strongest or strongest_only
  std::optional<SourceMark> strongest_k_mark;  // where strongest_k was written (resolve warns if unused)
  bool approximate() const { return receptions != Receptions::Exact; }
};

// radio.receptions's name: "exact", "strongest" or "strongest_only".
inline const char* receptions_name(RadioChannel::Receptions receptions) {
  return receptions == RadioChannel::Receptions::Strongest       ? "strongest"
         : receptions == RadioChannel::Receptions::StrongestOnly ? "strongest_only"
                                                                 : "exact";
}

// NB-IoT random access (per cell). A device whose preamble collides tries again at a later occasion,
// 1 + U{0..backoff_occasions} occasions on, up to max_preamble_attempts in all (TS 36.321 5.1.4;
// preambleTransMax-CE is commonly 10).
struct Nbiot {
  int max_preamble_attempts = 10;
  int backoff_occasions = 8;
  // Every cell's configuration per CE level (models/radio/nbiot_phy.hpp's defaults); the scenario sets
  // each level's NPUSCH allocation, I_TBS and repetitions (nbiot.npusch.ce0..ce2), the rest is fixed.
  models::radio::NbiotCellConfig cell;
  // Device timers (TS 24.008 / TS 24.301; defaults and sources in models/radio/nbiot_power.hpp): the
  // RRC inactivity tail after each message, then T3324 of idle DRX/eDRX paging, then PSM until T3412.
  models::radio::NbiotTimers timers;
};

// Public Wi-Fi access points (models/radio/wifi.hpp): how a saturated AP shares its airtime among its
// cameras. ThroughputFair: every backlogged station the same throughput, what 802.11 DCF gives (Heusse et
// al., INFOCOM 2003, the performance anomaly); ProportionalToOffered: shares in proportion to the loads.
struct Wifi {
  models::radio::AirtimeSharing airtime_sharing = models::radio::AirtimeSharing::ThroughputFair;
};

// Stream analytics at the operations centre: an alert when readings of devices of a type in one
// district exceed a threshold `consecutive` times in a row (in the order they reach the platform);
// it clears at the first reading at or below it. E.g. "river level above 4.5 m in two consecutive
// readings in a district -> flood alert".
struct AlertRule {
  std::string name;
  std::string type;    // device type whose readings are watched (event-driven river_level gauges)
  double above = 0.0;  // threshold, in the reading's unit (m for the river level)
  // Instead of above: fire on readings below this (a congestion alert on traffic counters' km/h).
  std::optional<double> below;
  int consecutive = 2;
  SourceMark mark;
};

// The data platform after the network server: a broker's ingest queue (bounded: a message finding it
// full is dropped), stream analytics (the alert rules) and storage with a write throughput, each a
// FIFO server at the speed its stage obtains on the platform host (SimGrid executions; see
// sim/wired_network.hpp).
struct Platform {
  // ITU-D Q1/2 reference architecture: security data (CCTV) goes to a private command-and-control
  // centre (CCC), smart data (sensors) to the open city operations centre (COC). When ccc_link_length
  // is 0 there is one shared platform; otherwise CCTV streams continue from the data centre to the CCC
  // over a link of this length and bandwidth.
  double ccc_link_length_m = 0.0;
  double ccc_link_bandwidth_bps = 10e9;
  std::vector<AlertRule> alerts;
  double server_speed_flops = 1e10;  // platform host CPU speed, per core
  int server_cores = 4;              // the stages (network server, broker, analytics) share them
  double ns_cost_flops = 2e5;        // CPU work per received copy (dedup + MAC processing)
  int ns_capacity = 100000;          // copies in the network server's queue at most (then dropped)
  // From a frame's first copy at the network server to the downlink it hands back: ChirpStack waits its
  // deduplication delay to collect the frame's copies before it answers ("De-duplication delay ...
  // default 200ms", chirpstack-network-server 0.13.2 release notes; its configuration file: it "must be
  // less than the (first) receive-window"). The LoRaWAN server's downlinks are timed by it
  // (sim/access/lorawan_server.hpp); a frame's delivery to the platform does not wait for it.
  double ns_downlink_delay_s = 0.2;
  double forward_message_bytes = 250;  // size of one forwarded frame with metadata (Semtech UDP JSON)
  int broker_capacity = 100000;        // messages waiting in the ingest queue at most
  double broker_cost_flops = 5e4;      // per message (an MQTT/Kafka-class broker: ~1e5 msg/s per core)
  double analytics_cost_flops = 1e5;   // per message, rule evaluation
  double storage_write_bps = 800e6;    // 100 MB/s sustained writes (a SATA SSD-backed time-series store)
  double storage_record_bytes = 200;   // per reading stored
};

struct Run {
  double duration_s = 86400.0;
  uint64_t seed = 1;
  // Conservative synchronisation window of the fleet engine. No longer than the smallest causal delay
  // between the network and a device (the RX1 delay, 1 s).
  double window_s = 1.0;
  // Every this many seconds the gateways' received frames are handed to SimGrid as one batch per
  // gateway (see sim/wired_network.hpp for why and what is measured).
  double forward_batch_s = 10.0;
  // Interval of /timeseries (link, PON and server utilisation over time).
  double timeseries_interval_s = 300.0;
  // How much of /messages the trace keeps (output::RunMeta::trace): every row, the rows of every
  // trace_every-th device, or none (the KPIs, tables and /timeseries only).
  enum class Trace { Full, Sample, Summary };
  Trace trace = Trace::Full;
  uint32_t trace_every = 10;
  // gzip level of the trace's large tables (output::RunMeta::trace_compression); 0: none.
  uint32_t trace_compression = 1;
  // With phases: the phase this scenario is (its name; "" = the base city, before the first phase).
  std::string phase;
};

// run.trace's name: "full", "sample" or "summary".
inline const char* trace_name(Run::Trace trace) {
  return trace == Run::Trace::Sample ? "sample" : trace == Run::Trace::Summary ? "summary" : "full";
}

// A time series that drives the city: (time s, value) pairs, linearly interpolated, held constant
// before the first and after the last point.
struct Series {
  std::vector<std::pair<double, double>> points;
  double at(double t_s) const;
};

// A power cut in some districts: gateways there run on their backup, then go off until power returns.
struct PowerOutage {
  std::vector<std::string> districts;
  double start_s = 0.0;
  double end_s = 0.0;
  WrittenEntry written{};  // where it was written; none for the flood's cuts
};

// A failure of part of the wired network: a link by name (see link_names below: "fibre:<gateway>",
// "drop:<gateway>", "pon:<pon>", "backbone:<olt>", "cellular:<gateway>", "leased:<gateway>",
// "mesh:<gateway>:<hop>"), an OLT ("olt:<olt>", i.e. its backbone), or "network_server".
// Either one interval (start, end), or an availability profile: alternating up and down times drawn
// from exponential distributions with means mtbf and mttr, from the run's seed (failure_schedule).
struct Failure {
  std::string target;
  double start_s = 0.0;
  double end_s = 0.0;
  double mtbf_s = 0.0;  // > 0: an availability profile (start and end unused)
  double mttr_s = 0.0;
  WrittenEntry written{};  // where it was written (a profile's draws: none)
};

struct Drivers {
  Series river_level_m;  // empty: no river driver (drivers.river_level as a list; also in quantities)
  // drivers.<quantity> for each quantity of sim/scenario/quantities.hpp given, in registry order.
  std::vector<QuantitySource> quantities;
  FloodSpec flood;      // drivers.flood: inundation_depth from river_level, rainfall and elevations
  TrafficSpec traffic;  // drivers.traffic: traffic_volume and traffic_speed from the demand, incidents, SUMO
  std::vector<PowerOutage> power_outages;
  std::vector<Failure> failures;
};

struct Scenario {
  std::string source_name;             // file path, or "<text>" for scenarios given as text
  std::string text;                    // the YAML as read, before overrides
  std::vector<std::string> overrides;  // key.path=value, as given
  // Every data file the loader read (CSV, GeoJSON, SUMO network...: the base city's and each phase's),
  // as resolved, in the order first read, once each. A run's results depend on these bytes too.
  std::vector<std::string> data_files;
  City city;
  std::vector<DevicePopulation> devices;
  std::vector<Gateway> gateways;
  RadioChannel channel;
  Nbiot nbiot;
  Wifi wifi;
  Fibre fibre;
  Drivers drivers;
  Platform platform;
  Run run;
  CostCatalogue costs;
  // The plan's phases, in order (empty without phases:); run.phase says which of them this scenario is.
  std::vector<Phase> phases;
  int phase_index = -1;         // into phases; -1 the base city
  std::vector<Bundle> bundles;  // s_poles and iot_districts, expanded into gateways and devices

  // Whether a driver produces the quantity over the run (drivers.<quantity>, or inundation_depth
  // from drivers.flood).
  bool drives(std::string_view quantity) const;
  Attacks attacks;
  // The keys of the settings sections (radio, nbiot, wifi, platform, run) as written, in file order, by
  // their path from the top ("radio.capture.threshold", "nbiot.npusch.ce0.i_tbs"; a list, such as
  // radio.gateway_sensitivity or platform.alerts, as one key), where their values were written (file, or
  // --set): for the warnings about a section that does nothing (sim/city/section_warnings.hpp).
  std::vector<WrittenKey> written_settings;
  // What the base and every phase have together that those sections act on (the loader fills it; resolve
  // adds the scenario's own).
  SectionUse plan_use;
};

// The index of the first district containing the point, or -1.
int district_of(const City& city, double x_m, double y_m);

// A stretch of time [t0_s, t1_s).
struct TimeInterval {
  double t0_s = 0.0, t1_s = 0.0;
};

// The devices of every population (their counts summed; the loader bounds each to 0..kMaxDevices).
inline size_t total_devices(const Scenario& scenario) {
  size_t total = 0;
  for (const DevicePopulation& pop : scenario.devices)
    total += static_cast<size_t>(std::max<int64_t>(pop.count, 0));
  return total;
}

// The key path a population or gateway was written at (its written_path), for a diagnostic about it: the
// user's index, not the expanded one; "devices[<index>]" or "gateways[<index>]" for one built in code.
inline std::string population_path(const Scenario& scenario, size_t index) {
  const std::string& written = scenario.devices[index].written_path;
  return written.empty() ? "devices[" + std::to_string(index) + "]" : written;
}
inline std::string gateway_path(const Scenario& scenario, size_t index) {
  const std::string& written = scenario.gateways[index].written_path;
  return written.empty() ? "gateways[" + std::to_string(index) + "]" : written;
}

// The wired links on a gateway's route to the platform, by name, in order (sim/wired_network.cpp
// builds them with these names; failures refer to them).
std::vector<std::string> route_link_names(const Scenario& scenario, const Gateway& gateway);
// The latency of each of the gateway's own links on that route (the first route_link_names, or all of
// them but a PON's shared ones): fibre by its length, a cellular network by the operator's latency, a
// leased line by both, each Wi-Fi mesh hop by its latency, a GPON drop by its length.
double own_link_latency_s(const Gateway& gateway);
// The propagation latency of the whole route, the gateway's own links and the shared PON, OLT backbone
// and core links (kFibreDelayPerMetre_s a metre): what sim/wired_network.cpp's SimGrid route adds up.
double route_latency_s(const Scenario& scenario, const Gateway& gateway);

// CCTV video crosses the wired network in full-size Ethernet frames: the camera packetises its stream
// into MTU-sized IP packets (RTP over UDP, RFC 6184's fragmentation units fill the MTU), and a 1500-byte
// IP packet is a 1518-byte frame from destination address to FCS (IEEE 802.3 clause 3.2, the
// maxUntaggedFrameSize of clause 4.4.2), which GEM carries without preamble and SFD (G.984.3 clause 8.3).
inline constexpr double kStreamFrameBytes = 1518.0;

// What a PON's upstream carries of citytwin's bytes (models/fibre/gpon_framing.hpp): its ONTs (the
// gateways on it, at least one) each bursting every 125 us frame, sending frames of frame_bytes: a
// PON with a Wi-Fi access point on it carries CCTV streams, whose bytes dwarf the sensors' copies, so
// kStreamFrameBytes; otherwise forwarded copies of platform.forward_message_bytes each.
struct PonUpstreamCapacity {
  int onts = 1;
  double frame_bytes = 0.0;
  double efficiency = 0.0;   // eta_up(onts, frame_bytes)
  double payload_bps = 0.0;  // efficiency x the PON's upstream line rate: the SimGrid link's bandwidth
};
PonUpstreamCapacity pon_upstream_capacity(const Scenario& scenario, const Pon& pon);

}  // namespace citytwin::sim::scenario
