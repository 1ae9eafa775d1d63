// The city's gateways and fibre as the scenario states them (the gateways and fibre sections), in SI units:
// metres, seconds, bits per second. Part of Scenario (sim/scenario/scenario.hpp); every default lives here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/radio/technology.hpp"
#include "sim/scenario/source_mark.hpp"

namespace citytwin::sim::scenario {

using models::radio::Technology;

// How a gateway reaches the platform (sim/wired_network.cpp builds the route):
//   fibre:       its own fibre of length and bandwidth (point to point);
//   pon:         a GPON drop (length) to a PON's splitter, the PON's shared fibre to its OLT, the OLT's
//                backbone to the data centre;
//   cellular:    an operator's network: latency and bandwidth, and a monthly cost;
//   leased_line: a leased circuit: latency, bandwidth, length;
//   wifi_mesh:   hops radio hops of latency and bandwidth each to a fibre-connected node.
enum class BackhaulKind : uint8_t { Fibre, Pon, Cellular, LeasedLine, WifiMesh };

// Fibre propagation delay: light travels at c / n with n ~ 1.468 in standard single-mode fibre
// (ITU-T G.652), i.e. 4.9 us per km; 5 us/km is the figure the GPON and transport literature uses.
inline constexpr double kFibreDelayPerMetre_s = 5e-9;

struct Gateway {
  std::string name;
  BackhaulKind backhaul = BackhaulKind::Fibre;
  std::string pon;                  // backhaul pon: which PON
  double backhaul_latency_s = 0.0;  // cellular, leased line: the network's latency; wifi mesh: per hop
  int mesh_hops = 1;
  double backhaul_monthly_cost = 0.0;  // for planners comparing backhauls (currency of the scenario)
  Technology technology = Technology::LoRaWAN;
  double x_m = 0.0;
  double y_m = 0.0;
  double antenna_gain_dbi = 0.0;
  double fibre_length_m = 1000.0;  // to the platform server
  double fibre_bandwidth_bps = 1e9;
  double forward_delay_s = 0.005;  // packet-forwarder processing before sending upstream
  // Demodulation paths: an SX1301 concentrator demodulates at most 8 frames at once (Semtech SX1301
  // datasheet, section 1: "8 x 8 channel LoRa packet detectors", 8 demodulation paths).
  int demodulators = 8;
  double tx_power_dbm = 14.0;  // downlinks
  // Mains powered with a backup battery that keeps it on this long after a power cut (full at each cut).
  double backup_s = 0.0;
  // Frames held while the backhaul is down, sent when it returns; beyond this they are dropped.
  int buffer_frames = 1000;
  SourceMark mark;
  std::vector<WrittenKey> written_keys;  // its keys as written (backhaul's not), in file order
  // The key path of the entry it was read from (gateways[1] for each gateway its placement rule makes,
  // s_poles[0].access_point, phases[1].add.gateways[0]); "" when built in code. As DevicePopulation's.
  std::string written_path;
};

// Passive optical network (ITU-T G.984 GPON): OLTs at network nodes, each with a backbone link to the
// data centre, and PONs hanging from them: a feeder from the OLT to the splitters (main zone cabinet,
// zone cabinets), split 1:split to ONTs at buildings and poles. Upstream capacity is shared by the PON.
struct Olt {
  std::string name;
  double backbone_length_m = 5000.0;  // to the data centre, or to its core node when it has one
  double backbone_bandwidth_bps = 10e9;
  std::string node;                     // its network node on fibre.core ("" without a core)
  std::vector<std::string> core_route;  // core links from that node to the data centre (shortest)
  // Where it is powered from: a power cut in its district (drivers.power_outages, or a flood computed or
  // given) takes its backbone down once its backup runs out ("" never).
  std::string district;
  double backup_s = 0.0;
  SourceMark mark;
  std::vector<WrittenKey> written_keys;  // its keys as written, in file order (as Gateway's)
  // The key path of the entry it was read from (fibre.olts[1], phases[0].add.olts[0]); "" when built in code.
  std::string written_path;
};

// The core/backbone network (a ring or mesh, like Daegu's 125 km backbone): fibre links between
// network nodes, one of which is the data centre; OLTs at nodes reach it over the shortest path by
// length (static routing: a cut link is not routed around).
struct CoreLink {
  std::string a, b;
  double length_m = 10000.0;
  double bandwidth_bps = 100e9;
  std::string name() const { return "core:" + a + "-" + b; }
};
struct Core {
  std::string data_centre;  // "" without a core
  std::vector<CoreLink> links;
};

struct Pon {
  std::string name;
  std::string olt;
  double length_m = 3000.0;           // OLT to splitter: primary and secondary cables
  int split = 32;                     // 1:8 .. 1:64 (G.984.2 class B+ budgets allow up to 1:64)
  double upstream_bps = 1.24416e9;    // G.984.2: 1.24416 Gbit/s up
  double downstream_bps = 2.48832e9;  // and 2.48832 Gbit/s down
  std::string service = "smart";      // "metering" or "smart": separate PONs may share an OLT
  SourceMark mark;
  std::vector<WrittenKey> written_keys;  // its keys as written, in file order (as Olt's)
  // The key path of the entry it was read from (fibre.pons[1], phases[0].add.pons[0]); "" when built in code.
  std::string written_path;
};

struct Fibre {
  Core core;
  std::vector<Olt> olts;
  std::vector<Pon> pons;
};

}  // namespace citytwin::sim::scenario
