// A primary cell as a charge reservoir: capacity in mAh drained by current x time. Self-discharge,
// voltage curves and harvesting come with the energy model of issue 3.
#pragma once

namespace citytwin::models::device {

struct BatterySpec {
  // An AA-size lithium thionyl chloride cell, as in most LPWA sensors (Saft LS14500: 2.6 Ah, 3.6 V).
  double capacity_mah = 2600.0;
  double voltage_v = 3.6;
};

// Charge drawn by a current over a duration: mA x s / 3600 = mAh.
inline double charge_mah(double current_ma, double duration_s) { return current_ma * duration_s / 3600.0; }

}  // namespace citytwin::models::device
