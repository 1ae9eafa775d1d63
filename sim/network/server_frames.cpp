#include "sim/network/server_frames.hpp"

#include <algorithm>

namespace citytwin::sim::network {
namespace {
constexpr size_t kDelivered = 0;
constexpr size_t kConfirmed = 1;
}  // namespace

bool ServerFrames::Device::pass(uint32_t report) {
  if (report > newest_passed) {
    const uint32_t shift = report - newest_passed;
    passed = (shift >= 64 ? 0 : passed << shift) | 1;
    newest_passed = report;
    return true;
  }
  const uint32_t age = newest_passed - report;
  if (age >= 64) return true;
  const uint64_t mask = uint64_t{1} << age;
  const bool fresh = (passed & mask) == 0;
  passed |= mask;
  return fresh;
}

bool ServerFrames::bit(uint64_t seq, size_t plane) const {
  const size_t word = 2 * static_cast<size_t>(seq >> 6) + plane;
  return word < words_.size() && (words_[word] >> (seq & 63) & 1) != 0;
}

bool ServerFrames::set(uint64_t seq, size_t plane) {
  const size_t word = 2 * static_cast<size_t>(seq >> 6) + plane;
  if (word >= words_.size()) words_.resize(std::max(word + 2 - plane, words_.size() * 2), 0);
  const uint64_t mask = uint64_t{1} << (seq & 63);
  const bool was_clear = (words_[word] & mask) == 0;
  words_[word] |= mask;
  return was_clear;
}

void ServerFrames::on_resolved(const events::FrameResolved& frame) {
  if (!frame.tx.confirmed || !frame.tx.sent) return;
  Device& device = devices_[frame.tx.device];
  if (frame.tx.attempt == 0 || device.reports == 0) ++device.reports;
  if (frame.gateways_received.empty()) return;
  frames_.emplace(frame.seq, Frame{frame.tx.device, device.reports,
                                   static_cast<uint32_t>(frame.gateways_received.size())});
  set(frame.seq, kConfirmed);
}

WiredNetwork::Delivery ServerFrames::deliver(uint64_t seq) {
  using Delivery = WiredNetwork::Delivery;
  const bool first = set(seq, kDelivered);
  if (!bit(seq, kConfirmed)) return first ? Delivery::Delivered : Delivery::Duplicate;
  const auto it = frames_.find(seq);
  if (it == frames_.end()) return first ? Delivery::Delivered : Delivery::Duplicate;
  Delivery delivery = Delivery::Duplicate;
  if (first)
    delivery =
        devices_[it->second.device].pass(it->second.report) ? Delivery::Delivered : Delivery::Retransmission;
  if (--it->second.copies_left == 0) frames_.erase(it);
  return delivery;
}

void ServerFrames::drop(uint64_t seq) {
  if (!bit(seq, kConfirmed)) return;
  const auto it = frames_.find(seq);
  if (it != frames_.end() && --it->second.copies_left == 0) frames_.erase(it);
}

}  // namespace citytwin::sim::network
