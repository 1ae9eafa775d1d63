// The year that durations in years mean everywhere in citytwin (a scenario's `yr` unit, a battery's
// self-discharge per year and rated service life, the projected lifetime): the Julian year, exactly 365.25
// days of 86 400 SI seconds, 31 557 600 s (the IAU's year "a", IAU Style Manual, Wilkins 1989; the year of
// the light-year's definition). One constant, so that a cell rated "20 yr" in a scenario lasts what the
// lifetime projection calls 20 years. Its own header, so that the units table (sim/scenario/units.cpp) takes
// it without depending on a model.
#pragma once

namespace citytwin::models {

inline constexpr double kSecondsPerJulianYear = 365.25 * 86400.0;

}  // namespace citytwin::models
