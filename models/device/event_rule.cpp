#include "models/device/event_rule.hpp"

namespace citytwin::models::device {

const char* to_string(ReportReason reason) {
  switch (reason) {
    case ReportReason::None:
      return "none";
    case ReportReason::Scheduled:
      return "scheduled";
    case ReportReason::CrossingUp:
      return "crossing_up";
    case ReportReason::CrossingDown:
      return "crossing_down";
  }
  return "?";
}

Decision EventReporter::report(double t_s, ReportReason reason) {
  last_report_s_ = t_s;
  next_report_s_ = t_s + current_interval_s();
  return {true, reason};
}

Decision EventReporter::on_sample(double t_s, double value) {
  if (!started_) {
    started_ = true;
    above_ = value > rule_.threshold;
    return report(t_s, ReportReason::Scheduled);
  }

  const bool beyond = above_ ? value <= rule_.threshold - rule_.hysteresis : value > rule_.threshold;
  pending_ = beyond ? pending_ + 1 : 0;
  if (pending_ >= rule_.consecutive) {
    pending_ = 0;
    above_ = !above_;
    if (rule_.report_on_crossing) {
      return report(t_s, above_ ? ReportReason::CrossingUp : ReportReason::CrossingDown);
    }
    next_report_s_ = last_report_s_ + current_interval_s();
  }

  if (t_s >= next_report_s_) return report(t_s, ReportReason::Scheduled);
  return {};
}

}  // namespace citytwin::models::device
