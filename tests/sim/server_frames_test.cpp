// The network server's frames (sim/network/server_frames.hpp): the first copy of a frame delivers it and
// the later ones are duplicates; a confirmed report is passed on to the platform once, whichever of its
// transmissions arrives first, however late; its other transmissions are retransmissions.
#include "sim/network/server_frames.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace citytwin::sim::network {
namespace {

using Delivery = WiredNetwork::Delivery;

struct Frames {
  ServerFrames server;
  std::vector<uint32_t> two = {0, 1}, one = {0}, none = {};
  uint64_t seq = 0;
  // Resolves device's next frame (attempt 0: a new report), received by `gateways`; returns its seq.
  uint64_t send(uint32_t device, uint8_t attempt, const std::vector<uint32_t>& gateways,
                bool confirmed = true) {
    events::FrameResolved f;
    f.seq = seq;
    f.tx.device = device;
    f.tx.attempt = attempt;
    f.tx.confirmed = confirmed;
    f.gateways_received = gateways;
    server.on_resolved(f);
    return seq++;
  }
};

TEST(ServerFrames, TheFirstCopyOfAFrameDeliversItAndTheOthersAreDuplicates) {
  Frames f;
  const uint64_t a = f.send(0, 0, f.two, false);
  const uint64_t b = f.send(0, 0, f.two, false);
  EXPECT_EQ(f.server.deliver(b), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(a), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(a), Delivery::Duplicate);
  EXPECT_EQ(f.server.deliver(b), Delivery::Duplicate);
  EXPECT_EQ(f.server.confirmed_in_flight(), 0u);  // unconfirmed frames are not followed
}

TEST(ServerFrames, AConfirmedReportIsPassedOnOnce) {
  Frames f;
  const uint64_t first = f.send(0, 0, f.two);
  const uint64_t retry = f.send(0, 1, f.two);  // its ACK unheard: the same report again
  const uint64_t next = f.send(0, 0, f.one);   // the next report
  EXPECT_EQ(f.server.deliver(first), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(first), Delivery::Duplicate);
  EXPECT_EQ(f.server.deliver(retry), Delivery::Retransmission);
  EXPECT_EQ(f.server.deliver(retry), Delivery::Duplicate);
  EXPECT_EQ(f.server.deliver(next), Delivery::Delivered);
  EXPECT_EQ(f.server.confirmed_in_flight(), 0u);  // every copy processed: forgotten
}

TEST(ServerFrames, WhicheverTransmissionArrivesFirstCarriesTheReport) {
  Frames f;
  // The first attempt held in a gateway's buffer, its retry through another gateway arrives before it.
  const uint64_t held = f.send(0, 0, f.one);
  const uint64_t retry = f.send(0, 1, f.one);
  EXPECT_EQ(f.server.deliver(retry), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(held), Delivery::Retransmission);
  // A retry whose first attempt no gateway received is its report's first arrival.
  f.send(0, 0, f.none);
  EXPECT_EQ(f.server.deliver(f.send(0, 1, f.one)), Delivery::Delivered);
}

TEST(ServerFrames, AReportHeldPastNewerOnesIsStillPassedOn) {
  Frames f;
  const uint64_t held = f.send(0, 0, f.one);   // report 1, held in a buffer
  const uint64_t newer = f.send(0, 0, f.one);  // report 2
  EXPECT_EQ(f.server.deliver(newer), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(held), Delivery::Delivered);  // late, but never passed on before
  // Reports 3..70 passed on while report 3's retry waits in a buffer: 67 reports back, past the window of
  // 64, it is taken as new (documented in server_frames.hpp).
  const uint64_t r3 = f.send(0, 0, f.one);
  const uint64_t r3_retry = f.send(0, 1, f.one);
  EXPECT_EQ(f.server.deliver(r3), Delivery::Delivered);
  for (int r = 4; r <= 70; ++r) EXPECT_EQ(f.server.deliver(f.send(0, 0, f.one)), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(r3_retry), Delivery::Delivered);
  // Within the window, a retransmission 60 reports back is still recognised.
  const uint64_t r71 = f.send(0, 0, f.one);
  const uint64_t r71_retry = f.send(0, 1, f.one);
  EXPECT_EQ(f.server.deliver(r71), Delivery::Delivered);
  for (int r = 72; r <= 131; ++r) EXPECT_EQ(f.server.deliver(f.send(0, 0, f.one)), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(r71_retry), Delivery::Retransmission);
}

TEST(ServerFrames, DevicesAreApartAndLostCopiesAreForgotten) {
  Frames f;
  const uint64_t a = f.send(0, 0, f.two);
  const uint64_t b = f.send(1, 0, f.two);
  const uint64_t b_retry = f.send(1, 1, f.one);
  EXPECT_EQ(f.server.deliver(b), Delivery::Delivered);
  EXPECT_EQ(f.server.deliver(a), Delivery::Delivered);  // device 0's report 1 is not device 1's
  EXPECT_EQ(f.server.deliver(b_retry), Delivery::Retransmission);
  EXPECT_EQ(f.server.confirmed_in_flight(), 2u);  // a and b have a copy each to come
  f.server.drop(a);
  f.server.drop(b);
  EXPECT_EQ(f.server.confirmed_in_flight(), 0u);
}

}  // namespace
}  // namespace citytwin::sim::network
