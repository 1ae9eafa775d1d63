// The LoRa radio medium seen by the gateways. Transmissions enter in windows; a frame is resolved at
// every gateway that hears it (received power at or above the sensitivity for its SF) once no later
// transmission can overlap it, i.e. once every frame starting before its end is known. At a gateway a
// frame is lost when:
//   - it overlaps frames on the same channel and SF and the capture rule (models/radio/reception.hpp)
//     does not let it survive every one of them, or, with radio.inter_sf, frames of other SFs whose
//     SIR threshold it misses (models/radio/interference.hpp) (collision; with radio.interference:
//     cumulative, the energy of the overlapping frames is summed per SF over the frame and judged by
//     the models' energy rule, as ns-3's LoraInterferenceHelper does);
//   - all the gateway's demodulation paths are busy when it starts (no demodulator);
//   - the gateway is transmitting a downlink while it is on the air (half duplex);
//   - the gateway is off: a power cut outlasted its backup battery (drivers.power_outages);
//   - a jammer raised its noise floor above the frame's margin (attacks.jamming, sim/access/jamming.hpp).
// With radio.receptions: strongest or strongest_only (approximations) a frame is received only at the
// gateways of its device's K strongest links (sim/access/strongest_links.hpp): elsewhere it neither is
// received nor interferes, and with strongest it still holds a free demodulation path (a lock-only
// entry in the gateway's incoming list); gateways_in_range counts those K at most.
// Gateways are split among the threads in contiguous ranges (parts, one a thread, balanced by their links):
// a part reads every frame of a window but only its links to the part's gateways (a device's links are in
// gateway order, city::CityLayout::links_by_gateway), makes those receptions and settles them, in one round.
// What a part writes (its gateways' on-air lists, fates and newcomers, its receptions) is read by the same
// part the next window, on the same thread as a rule: a window's receptions are never handed from the core
// that made them to the core that settles them. Each reception belongs to one gateway, so no two threads
// touch the same slot. A frame's receptions are its parts' in part order, each part's in link order: the
// links' order, whatever the number of parts. A reception's fate is kept with its gateway
// (GatewayState::fates, in the order the gateway settles its receptions), not beside the frame's other
// receptions (bench/RESULTS.md, "Fates kept per gateway").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "models/radio/interference.hpp"
#include "output/records.hpp"
#include "sim/access/jamming.hpp"
#include "sim/access/strongest_links.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/core/uninitialised.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/engine/sequencer.hpp"
#include "sim/events/events.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::access {

// A frame whose fate at every gateway is settled (its SNR at the strongest gateway, on the
// population's bandwidth; received at its end).
using ResolvedFrame = events::FrameResolved;

class RadioMedium {
 public:
  // `timeline` says when each gateway is without power (it hears nothing then); it must outlive the medium.
  RadioMedium(const scenario::Scenario& scenario, const city::CityLayout& city,
              const drivers::GatewayTimeline& timeline);

  // A window's parts run on the thread pool only when its frames have at least this many radio links
  // between them (a link costs ~15 ns to read, a reception ~80 ns to settle; a pool round ~0.3-0.6 us with
  // its workers spinning, bench/pool_round.cpp); fewer run one after the other on this thread.
  static constexpr uint64_t kMinParallelLinks = 512;
  // A transmission numbered by the run's engine::Sequencer (increasing seq, (t_start, device)
  // order): its receptions at every gateway in range, materialised at the next step. A transmission that
  // was never sent (dead battery) has none and is resolved as FailReason::DeviceDead.
  void submit(uint64_t seq, const engine::Transmission& tx) { submitted_.push_back({seq, tx}); }
  // Settles this window's receptions and resolves, in seq order, every frame that ends at or before
  // t_s; sink is called once per resolved frame, in increasing seq order within the call.
  void step(double t_s, core::ThreadPool& pool, const std::function<void(const ResolvedFrame&)>& sink);
  // The same for a LoRa-only city (tests): adds transmissions produced up to window end t_s (any
  // order), numbers them with the medium's own sequencer and steps. Transmissions must all start at
  // or after the previous t_s.
  void step(std::vector<engine::Transmission>& produced, double t_s, core::ThreadPool& pool,
            const std::function<void(const ResolvedFrame&)>& sink);

  // The gateway transmits from t0_s to t1_s (a downlink, at or after the last window end): it
  // receives nothing meanwhile, including frames already on the air. Call between steps, or from a step's
  // sink (the network server does): t0_s is then after the resolved frame's end.
  void block_gateway(uint32_t gateway, double t0_s, double t1_s);
  // Whether the gateway already transmits at some time in [t0_s, t1_s).
  bool gateway_busy(uint32_t gateway, double t0_s, double t1_s) const;

  // Whether the pool's lane worker (core::ThreadPool::post) also runs long tasks beside the rounds (the wired
  // network and the recorders: sim/app/run_assembly.hpp). With two parts, the caller's then takes
  // kLaneShare more of the links' weight than half, the lane worker's as much less. Set before the first
  // step.
  void share_with_lane(bool lane) { lane_ = lane; }
  static constexpr double kLaneShare = 0.04;
  // Jammers raising gateways' noise floors (attacks.jamming); null: none. It must outlive the medium.
  void set_jamming(const JammingField* jamming) { jamming_ = jamming; }
  // What the sink will read about a frame's device, asked for ahead (the network server's ADR history: two
  // cache misses a frame at 1 M devices): while step resolves frame i, fn(far, near) gets the devices of
  // frames i + 2 * kResolveAhead and i + kResolveAhead (kNoDevice past the end), so that fn can ask for a
  // line that needs another (far) and for that one (near). Prefetches only: what fn does must not change
  // any result.
  static constexpr uint32_t kNoDevice = UINT32_MAX;
  // A place past a device's packed links (a gateway after every other).
  static constexpr uint32_t kNoGateway = UINT32_MAX;
  // strongest_only's packed links (packed_, below): K up to this, in this many 4-byte words a device (a
  // power of two, so that no device's links cross a cache line at K <= 8; 64 bytes at K = 8). 0: not packed.
  static constexpr uint32_t kMaxPackedK = 16;
  static constexpr uint32_t packed_words(uint32_t k) {
    if (k == 0 || k > kMaxPackedK) return 0;
    uint32_t words = 2;
    while (words < 2 * k) words *= 2;
    return words;
  }
  using ResolveAhead = std::function<void(uint32_t far_device, uint32_t near_device)>;
  void look_ahead_on_resolve(ResolveAhead fn) { resolve_ahead_ = std::move(fn); }

  bool idle() const { return submitted_.empty() && frame_front_ == frames_.size() && sequencer_.idle(); }
  // Receptions materialised so far (a frame at a gateway that hears it; with radio.receptions:
  // strongest, at most K per frame): what the medium's time is spent on.
  uint64_t receptions() const { return receptions_made_; }
  // Of the frames that reached a gateway's demodulators (on, not transmitting, not jammed), the share
  // that found every path busy: how saturated the gateways are. With radio.receptions: strongest it is
  // the exact model's (the locks beyond the K are counted); strongest_only counts only the K.
  double demodulator_refused_ratio() const;
  // K with radio.receptions: strongest or strongest_only; 0: exact.
  uint32_t strongest_k() const { return strongest_k_; }
  // Whether strongest_only's links are packed a device a line (packed_, below).
  bool links_packed() const { return packed_words_ != 0; }
  // The gateways of each thread's part, set at the first step: part i has cuts[i] .. cuts[i + 1] - 1.
  const std::vector<uint32_t>& part_cuts() const { return cut_; }

 private:
  struct Reception {  // 12 B: the hot part; the interference energies live apart (Part::interference)
    uint32_t gateway;
    float rssi_dbm;
    uint32_t local;  // its index among the gateway's receptions (GatewayState::fates), modulo 2^32
  };
  static constexpr uint32_t kSpreadingFactors = 6;  // SF7..SF12
  // Cumulative interference: energy (mW s) of the overlapping frames, per their SF (7..12).
  using Energies = std::array<float, kSpreadingFactors>;
  struct Frame {  // its receptions: each part's Span at the same index
    uint64_t seq;
    engine::Transmission tx;
    bool resolved;
  };
  struct OnAir {  // a reception in a gateway's list of frames still on air
    double t_start_s, t_end_s;
    uint64_t reception;  // its id in its gateway's part
    float rssi_dbm;
    uint32_t list;   // index into on_air_
    uint32_t local;  // as Reception::local
    uint8_t spreading_factor;
    output::FailReason fate;  // before the gateway settles it: None, or Jammed
  };
  // What one gateway's settling writes, on the thread that settles it (a cache line or more of its own).
  struct alignas(64) GatewayState {
    // fates[i]: the fate of the gateway's reception with local index fate_base + i (modulo 2^32).
    std::vector<output::FailReason> fates;
    uint32_t fate_base = 0;
    uint64_t demodulator_asked = 0, demodulator_refused = 0;
    // Frames that ended at or before it may be gone from the gateway's on-air lists (kept_after).
    double dropped_through_s = -std::numeric_limits<double>::infinity();
    uint32_t offset(uint32_t local) const { return local - fate_base; }  // into fates (modulo 2^32)
    output::FailReason& fate(uint32_t local) { return fates[offset(local)]; }
  };
  output::FailReason& fate(uint32_t gateway, uint32_t local) { return gateways_[gateway].fate(local); }
  using Interval = scenario::TimeInterval;

  // A contiguous range of gateways, settled on one thread in a window, with the receptions at them; ids
  // are numbered per part. Part i of P has the gateways from cut_[i] to cut_[i + 1].
  // A frame's receptions in a part (ids first .. first + count - 1), with what the part's rounds ask of the
  // frame: when it ends, and whether the part has judged it (the frame is resolved once every part has).
  // The part's own copy: its rounds read no frame in frames_, which the calling thread writes.
  struct Span {
    uint64_t first;
    double t_end_s;
    uint32_t count;
    bool judged;
  };
  // A due frame judged at a part's gateways: the gateways that received it (and their RSSI) from
  // `first` in the part's verdict lists, its receptions there, and the strongest of them with its fate.
  struct Verdict {
    uint32_t first, received, in_range;
    float strongest_dbm;
    output::FailReason strongest_fate;
  };
  struct alignas(64) Part {              // written by one thread in a round: a cache line or more of its own
    std::vector<Reception> receptions;   // receptions[i] has id base + i
    std::vector<Energies> interference;  // the same ids, with radio.interference: cumulative only
    uint64_t base = 0;
    std::vector<Span> spans;  // spans[i]: frames_[i]'s
    uint64_t made = 0;        // receptions made in the last round
    std::thread::id thread;   // the thread that ran the last round
    // Left for its next round (tidy): the spans of the frames erased from frames_ since, and the first
    // reception a frame still unresolved holds (the ones before it may go).
    size_t settled_frames = 0;
    uint64_t first_live = 0;
    // This step's due frames judged here (when step judges them in the round), in seq order.
    std::vector<Verdict> verdicts;
    std::vector<uint32_t> verdict_gateways;
    std::vector<float> verdict_rssi_dbm;
    Reception& reception(uint64_t id) { return receptions[static_cast<size_t>(id - base)]; }
    const Reception& reception(uint64_t id) const { return receptions[static_cast<size_t>(id - base)]; }
    Energies& energies(uint64_t id) { return interference[static_cast<size_t>(id - base)]; }
    void clear_verdicts() {
      verdicts.clear();
      verdict_gateways.clear();
      verdict_rssi_dbm.clear();
    }
  };
  // The parts for a pool of `threads` (at the first step): one a thread, none empty where the gateways
  // allow, cut where the LoRa links of a sample of the devices, each weighed by its device's reports a
  // second, fall evenly; one when the layout's links are not in gateway order.
  void make_parts(int threads);
  // Materialises part p's receptions of the submitted transmissions (their newcomers appended to its
  // gateways' incoming_), then settles its gateways' newcomers; with judge_by_s, judges the frames due by
  // then at its gateways (Part::verdicts).
  void run_part(size_t p, std::optional<double> judge_by_s);
  // Part p's verdict on frames_[frame] (its receptions' fates, read on the thread that wrote them).
  void judge(size_t p, size_t frame);
  // Part p's settled front erased (spans of frames gone from frames_; receptions, once half of them, and
  // its gateways' fates no live reception refers to): what step left it.
  void tidy(size_t p);
  // Frames can only collide on the same channel: a gateway keeps its on-air lists by channel. With
  // orthogonal SFs (radio.inter_sf: orthogonal, the default) a newcomer is judged only against frames of
  // its own SF, so there is one list per (channel, SF) and a newcomer reads its SF's alone (one list for
  // all SFs had the 100k bench city scan 17.9 frames a newcomer, 1.7 of them of its SF). With an inter-SF
  // matrix a newcomer is judged against every SF (the capture rule for its own, the SIR matrix for the
  // others), so there is one list per channel, every SF together (reading six lists was a cache miss
  // apiece at 1,538 gateways: bench/RESULTS.md, "Per-device and per-gateway state read once a frame").
  // A list holds at most a few frames, most of them long over: it is only pruned when a newcomer is
  // compared with it. So a list keeps a bound on its frames' ends, and a list whose frames all ended
  // before a newcomer starts is emptied without reading them. Lists are laid out by channel, then
  // gateway, then SF (sf_lists_ of them: 6 or 1; a channel seen for the first time appends its lists).
  struct AirList {
    std::vector<OnAir> frames;
    double last_end_s = -std::numeric_limits<double>::infinity();  // >= every frame's t_end_s
  };
  uint32_t on_air_list(uint32_t gateway, uint32_t channel_hz);
  void settle(Part& part, uint32_t gateway, const OnAir& rx);
  // Drops the fates at part p's gateways that no live reception refers to (after its settled receptions
  // were erased; trim_scratch_ holds a slot per gateway).
  void trim_fates(size_t p);
  static constexpr uint64_t kLockOnly = std::numeric_limits<uint64_t>::max();  // OnAir::reception
  void lock_only(uint32_t gateway, const OnAir& rx);
  // Settles rx against the frames of its gateway's on-air list for its channel (dropping those that ended
  // by kept_after_s(rx)): a frame is lost when its power over the other's falls short
  // of what it needs (dB; frames of other SFs only with radio.inter_sf).
  void collide(Part& part, GatewayState& gs, const OnAir& rx, output::FailReason& mine, AirList& air,
               double kept_after_s);
  // Cumulative interference: whether the summed energy per SF sinks a reception of a frame.
  bool sunk_by_interference(const Reception& rx, const Energies& energies,
                            const engine::Transmission& tx) const;
  double needs_db(uint8_t signal_sf, uint8_t interferer_sf) const {
    return sir_thresholds_db_[signal_sf - 7u][interferer_sf - 7u];
  }
  // Resolves frames_[frame]: judges it at every part, on this thread, then resolve_judged.
  void resolve(size_t frame, const std::function<void(const ResolvedFrame&)>& sink);
  // Resolves frames_[frame] from the parts' k-th verdicts (the frame judged in the round, or just now).
  void resolve_judged(size_t frame, size_t k, const std::function<void(const ResolvedFrame&)>& sink);
  // Hands the sink a frame resolved with these received gateways and RSSI, receptions in range, and the
  // strongest reception's power and fate.
  void emit(Frame& f, std::span<const uint32_t> gateways, std::span<const float> rssi_dbm, uint32_t in_range,
            float strongest_dbm, output::FailReason strongest_fate,
            const std::function<void(const ResolvedFrame&)>& sink) const;
  // radio.receptions: strongest: demodulator locks at part p's gateways of tx's links beyond chosen.
  void lock_beyond(size_t p, const engine::Transmission& tx, std::span<const uint32_t> chosen,
                   double bandwidth_hz, double sensitivity_dbm);
  // A transmission submitted since the last step.
  struct Submitted {
    uint64_t seq;
    engine::Transmission tx;
  };
  // What the parts read of a submitted frame, written by step on the calling thread from the frame it reads
  // anyway: 32 B, two a cache line, where a Submitted (64 B) straddles two lines most of the time. On two
  // threads the worker's part read every Submitted the calling thread had just written, and the calling
  // thread then wrote the next window's over lines the worker held (bench/RESULTS.md, "What a part reads of
  // a frame, in half a line").
  struct alignas(32) Airing {
    double t_start_s, t_end_s;
    uint32_t device;
    // Its on-air list at gateway 0 (gateway g's is lists + g * sf_lists_): on_air_list(0, its channel),
    // plus its SF's place with orthogonal SFs (a new channel appends lists, on the calling thread).
    uint32_t lists;
    float tx_power_dbm;
    // The smallest float at or above the gateways' sensitivity for its population and SF: a reception's
    // RSSI (a float) is below one exactly when it is below the other. kNotSent: a frame never sent.
    float threshold_dbm;
  };
  static_assert(sizeof(Airing) == 32);
  static constexpr float kNotSent = std::numeric_limits<float>::infinity();
  // Part p's receptions of submitted_[f] (appended to its receptions and to its gateways' incoming_ lists),
  // returned as the frame's span in the part.
  Span materialise(size_t p, size_t f);
  // Whether the jammers (jamming_) take a reception of tx at the gateway, heard at rssi_dbm.
  bool jammed(uint32_t gateway, const engine::Transmission& tx, float rssi_dbm) const;
  // A device's links, all of them or (radio.receptions: strongest, strongest_only) the K strongest. With
  // packed links (packed_), count is K and the places past the device's links hold kNoGateway: every loop
  // over a device's links stops at the first gateway past its range.
  struct Links {
    const uint32_t* gateways;
    const float* gains;
    size_t count;
  };
  Links links_of(uint32_t device) const;
  // The first of a device's links (in gateway order) that goes to part p's gateways.
  size_t first_link_of_part(size_t p, const uint32_t* gateways, size_t count) const;
  // Asks for the cache lines of part p's links of submitted_[submitted]'s device (nothing past the end): a
  // frame's device is a random one, its links a miss or two at 1 M devices, asked for this many frames
  // before they are read. The first and the last link of each array: 8 links straddle two lines about
  // half the time, and the second was a miss `materialise` waited for (bench/RESULTS.md). With several
  // parts, where the part's links would lie if the device's links fell evenly among the parts.
  static constexpr size_t kPrefetchFrames = 8;
  void prefetch_links(size_t p, size_t submitted) const;
  // Asks, while a part settles gateway g, for what its next gateways' newcomers will read and write, in
  // three steps that each need the last one's lines: gateway g + 3's newcomers and state; the on-air lists
  // of g + 2's newcomers; where g + 1's newcomers will be appended to their lists and its fates. Each a
  // cache miss at 1,538 gateways (8 channels: 12,304 lists). Nothing at or past `end` (another part's).
  void prefetch_settle(size_t gateway, size_t end) const;
  // Asks, while step resolves frame i, for what resolving a later frame reads: the receptions of frame
  // i + 2 * kResolveAhead, and the fates of frame i + kResolveAhead's receptions (a cache miss each at 1,538
  // gateways, written by the settling round, often on the other core: 43 % of resolve's samples on the
  // realistic 1 M day waited for them). On the 1 M city's 3 h, resolve's samples fell by ~10 % (8 ahead;
  // 4 ahead about the same).
  static constexpr size_t kResolveAhead = 8;
  void prefetch_resolve(size_t frame) const;
  // The look-ahead on resolve alone (look_ahead_on_resolve), for frame i.
  void look_ahead(size_t frame) const;
  // What part p's verdict on a later frame reads, asked for while it judges frame i (as prefetch_resolve).
  void prefetch_judge(size_t p, size_t frame) const;

  const city::CityLayout& city_;
  const drivers::GatewayTimeline& timeline_;
  // The SIR each frame needs over another, by SF: the capture rule on the diagonal, the inter-SF
  // matrix (or none: orthogonal) elsewhere.
  models::radio::SirThresholds sir_thresholds_db_;
  bool cumulative_;
  uint32_t sf_lists_;  // on-air lists per (gateway, channel): 6 with orthogonal SFs (one per SF), else 1
  std::vector<double> sensitivity_dbm_;  // [sensitivity_slot]: with the population's bandwidth
  std::vector<float> threshold_dbm_;     // the same, as Airing::threshold_dbm
  // Where a population's sensitivity for an SF (7..12) lies in sensitivity_dbm_ and threshold_dbm_.
  static size_t sensitivity_slot(uint16_t population, uint8_t spreading_factor) {
    return size_t{population} * kSpreadingFactors + (spreading_factor - 7u);
  }
  double noise_figure_db_;
  engine::Sequencer sequencer_;  // for the step that numbers its own transmissions
  // Frames and the parts' receptions are queues kept in vectors that are reused (their memory stays in the
  // caches): the settled front is skipped, and erased once it is half of the vector.
  std::vector<Frame> frames_;  // in seq order (not contiguous: other radios' uplinks are elsewhere)
  size_t frame_front_ = 0;     // frames_ below it are settled
  std::vector<Part> parts_;
  bool lane_ = false;                          // share_with_lane
  std::vector<uint32_t> cut_;                  // part p: gateways cut_[p] .. cut_[p + 1] - 1
  std::vector<Submitted> submitted_;           // since the last step, in seq order
  core::UninitialisedVector<Airing> airings_;  // airings_[i]: submitted_[i]'s, for the parts
  std::vector<uint8_t> airing_sf_;             // submitted_[i]'s SF (7..12), for the parts
  bool worker_ran_a_part_ = false;             // in the last round: another thread than step's (streaming)
  // Per gateway, what materialise writes for each reception: the window's new receptions and the local
  // index the next one gets, a cache line of its own. Packed (one vector header and one counter after the
  // other), the lines at a cut between two parts were written by both threads at every reception there:
  // on the 100k bench city a fifth of materialise's samples on two threads waited on the counter's line
  // alone (bench/RESULTS.md, "Each gateway's newcomers on a line of its own").
  struct alignas(64) Newcomers {
    std::vector<OnAir> list;  // in start order
    uint32_t next_local = 0;
  };
  std::vector<Newcomers> incoming_;
  std::vector<uint32_t> channels_hz_;  // the uplink channels seen so far
  std::vector<AirList> on_air_;        // per channel, then gateway: see on_air_list()
  // The last step's t_s: every frame resolved from now on ends after it. A frame that ended later may still
  // overlap a downlink sent for such a frame (block_gateway marks those on its lists), one that ended before
  // it no downlink; a newcomer's start alone was not enough when a step spans more than the receive delay
  // (the last step of a run).
  double prune_before_s_ = -std::numeric_limits<double>::infinity();
  // The shortest RX1 delay of the city's populations: every downlink still to come starts at least this
  // long after prune_before_s_ (it opens after the end of a frame resolved from now on).
  double min_rx1_delay_s_ = 0.0;
  // Frames of a list compared with newcomer rx that ended at or before this are dropped from it: they
  // meet neither rx nor a later newcomer at the gateway (newcomers come in start order), and they end
  // before any downlink still to come starts (bench/RESULTS.md, "Ended frames dropped from the on-air
  // lists"). Before it, frames were kept until the last step's end (prune_before_s_): the 100k bench city
  // read 7.1 frames a comparison, 4.4 of them over.
  double kept_after_s(const OnAir& rx) const {
    return std::max(prune_before_s_, std::min(rx.t_start_s, prune_before_s_ + min_rx1_delay_s_));
  }
  std::vector<std::vector<double>> demodulator_free_at_s_;  // per gateway, per demodulation path
  std::vector<GatewayState> gateways_;
  std::vector<uint32_t> trim_scratch_;               // per gateway
  std::vector<std::vector<Interval>> transmitting_;  // per gateway: scheduled downlinks
  // While step resolves frames judged in its round: the time they are due by (block_gateway checks that a
  // downlink sent meanwhile marks none of them).
  std::optional<double> judged_by_s_;
  const JammingField* jamming_ = nullptr;
  ResolveAhead resolve_ahead_;
  uint32_t strongest_k_ = 0;                 // radio.receptions: strongest or strongest_only; 0: exact
  std::optional<StrongestLinks> strongest_;  // the K chosen, where the layout has every link
  // strongest_only, where the set-up kept a device's K <= kMaxPackedK strongest links alone: each device's
  // links again, packed_words_ words a device (packed_words(K)): its gateways, then their gains, then
  // kNoGateway to the end of its gateways' K places (a device heard by fewer). A frame's links are then one
  // cache line at K = 8, where the layout's offsets, gateways and gains are three arrays, three or four
  // misses a frame at 1 M devices (bench/RESULTS.md). Empty otherwise.
  struct alignas(64) PackedLine {
    std::byte bytes[64];
  };
  std::vector<PackedLine> packed_;
  uint32_t packed_words_ = 0;
  const uint32_t* packed_gateways(uint32_t device) const {
    return reinterpret_cast<const uint32_t*>(packed_.data()->bytes) + size_t{device} * packed_words_;
  }
  void pack_links();
  uint64_t receptions_made_ = 0;
  std::vector<uint32_t> received_scratch_;
  std::vector<float> rssi_scratch_;
};

}  // namespace citytwin::sim::access
