package io.videoshop.config;

/**
 * Reports.
 *
 * @param serviceLevelSeconds T of the service level (answered within T over answered and
 *     abandoned) for tenants that did not set their own
 * @param maxRangeDays the longest date range one report or export may cover
 */
public record ReportingSettings(int serviceLevelSeconds, int maxRangeDays) {

  static ReportingSettings read(SettingsReader at) {
    return new ReportingSettings(at.intBetween("service-level-seconds", 1, 600),
        at.intBetween("max-range-days", 1, 3_660));
  }
}
