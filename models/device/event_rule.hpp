// Event-driven reporting as a pure state machine. The sensor samples a value at its own sampling
// period and asks the reporter, at each sample, whether to transmit now; the reporter keeps the
// schedule: every normal_interval_s while the value is at or below the threshold, every
// fast_interval_s while it is above, and (report_on_crossing) at once when it crosses, up or down.
// A river level sensor, say, reports every 15 min, every minute above the alert level, and at once
// when the level crosses it. A parking sensor is the same machine with a 0/1 occupancy value, a 0.5
// threshold and both intervals equal to its heartbeat.
//
// Rules (the defaults are those of the level example; thresholds are site-specific):
// - the value is "above" when value > threshold, and falls back when value <= threshold - hysteresis;
// - a crossing counts once `consecutive` samples in a row are on the new side (debouncing: one noisy
//   sample does not raise an alarm);
// - scheduled reports count from the last report (the firmware restarts its timer after each uplink);
// - without report_on_crossing a crossing only changes the schedule: the next report is due one new
//   interval after the last report (at once if that time has passed);
// - the first sample is reported and sets the initial side without counting as a crossing.
// Samples must come in non-decreasing time order.
#pragma once

#include <cstdint>
#include <limits>

namespace citytwin::models::device {

struct EventRule {
  double normal_interval_s = 900.0;  // at or below the threshold
  double fast_interval_s = 60.0;     // above the threshold
  double threshold = 0.0;            // in the unit of the sampled value
  double hysteresis = 0.0;           // >= 0; the value must drop to threshold - hysteresis to fall back
  int consecutive = 1;               // >= 1 samples on the new side before a crossing counts
  bool report_on_crossing = true;
};

enum class ReportReason : uint8_t { None = 0, Scheduled, CrossingUp, CrossingDown };

const char* to_string(ReportReason reason);

struct Decision {
  bool transmit = false;
  ReportReason reason = ReportReason::None;
};

class EventReporter {
 public:
  explicit EventReporter(const EventRule& rule) : rule_(rule) {}

  // Feed one sample; says whether to transmit now and why.
  Decision on_sample(double t_s, double value);

  // When the next scheduled report is due (infinite before the first sample). A crossing may bring a
  // report earlier.
  double next_report_s() const { return next_report_s_; }
  // The side the value is on, after debouncing.
  bool above() const { return above_; }
  // Reporting interval on the current side.
  double current_interval_s() const { return above_ ? rule_.fast_interval_s : rule_.normal_interval_s; }
  const EventRule& rule() const { return rule_; }

 private:
  Decision report(double t_s, ReportReason reason);

  EventRule rule_;
  bool started_ = false;
  bool above_ = false;
  int pending_ = 0;  // consecutive samples seen on the other side
  double last_report_s_ = 0.0;
  double next_report_s_ = std::numeric_limits<double>::infinity();
};

}  // namespace citytwin::models::device
