// The link budget coverage is judged with (sim/plan/coverage.hpp): what a device sends with, and how far from
// a gateway, NB-IoT cell or Wi-Fi access point it is covered.
//
// A place is covered for a device when a station hears it there with at least radio.location_probability
// (RadioChannel::location_probability, 90 % by default): its
// median received power (transmit power + the station's antenna gain - the scenario's path loss - the mean
// building penetration) clears what the station needs (LoRaWAN: the gateway sensitivity at the SF the device
// sends with, models/radio/reception.hpp; NB-IoT: the 164 dB maximum coupling loss, sim/city/city_layout.hpp)
// by a margin of z sigma, sigma the spread of the link's shadowing and the penetration together
// (sqrt(radio.shadowing.sigma^2 + penetration sigma^2): independent Gaussians in dB, as the city layout draws
// them), z the standard normal quantile of the probability (Boost.Math's, for any probability the scenario
// gives). Each station is judged alone (a second one only adds to the probability: the figure errs low). The
// default is the planner's usual "90 % of locations" criterion (a fade margin of 1.28 sigma); at the median
// (z = 0) a place at the edge is heard half the time.
//
// Wi-Fi: the 5 GHz link budget of models/radio/wifi.hpp reaching the association threshold (-82 dBm), as
// sim/access/wifi_access.cpp associates a camera: no shadowing, no penetration, so no margin.
#pragma once

#include "sim/city/city_layout.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::plan {

// z: the standard normal quantile of a location probability p in [0.5, 1) (Phi^-1(0.9) = 1.2816).
double location_probability_z(double p);

// What coverage judges a device by.
struct CoverageRadio {
  scenario::Technology technology = scenario::Technology::LoRaWAN;
  int sf = 12;  // LoRaWAN: the largest SF its frames are sent with
  double bandwidth_hz = 125e3;
  double tx_power_dbm = 14.0;
  double penetration_mean_db = 0.0;
  double penetration_sigma_db = 0.0;

  bool operator==(const CoverageRadio&) const = default;
};

// A population's own: its SF when fixed (radio.sf without ADR), else (sf: auto, ADR) the largest its region
// allows its frame (max_sf: it may send with it), its bandwidth, transmit power and building penetration.
CoverageRadio population_radio(const scenario::DevicePopulation& population, int max_sf);

// A technology's reference device, for a technology the city has stations but no devices of: LoRaWAN 14 dBm
// (the EU868 default) at SF12, 125 kHz; NB-IoT 23 dBm; both outdoors.
CoverageRadio reference_radio(scenario::Technology technology);

// The margin the median link keeps in hand: z sigma (above), z from the channel's location probability and
// sigma from its shadowing and the radio's penetration spread, in dB; 0 for Wi-Fi.
double location_margin_db(const scenario::RadioChannel& channel, const CoverageRadio& radio);

// The largest path loss at which the device is covered by the station (the margin and penetration taken
// off), in dB; and the distance at which the scenario's path loss reaches it, in metres (Wi-Fi: the
// association range; -1 where the budget is below the loss at the path loss's reference distance).
double covered_path_loss_db(const scenario::Scenario& scenario, const CoverageRadio& radio,
                            const scenario::Gateway& station);
double covered_reach_m(const scenario::Scenario& scenario, const CoverageRadio& radio,
                       const scenario::Gateway& station);

// Whether a device of the city is heard by at least one station as the run will hear it: its strongest link
// (its own shadowing and penetration draws, sim/city/city_layout.hpp) reaches the gateway sensitivity at
// the largest SF it sends with (its SF, fixed or chosen at join; with ADR the largest its region allows),
// as the radio medium compares them (in float); NB-IoT: it has a link (within the maximum coupling loss).
// Not for Wi-Fi (no links).
bool device_heard(const scenario::Scenario& scenario, const city::CityLayout& city, std::size_t device);

}  // namespace citytwin::sim::plan
