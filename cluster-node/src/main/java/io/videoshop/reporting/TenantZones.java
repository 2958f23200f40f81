package io.videoshop.reporting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's time zone, read from its settings in the tenants table on the projection's own
 * connection, remembered for a minute (a changed zone applies to events projected after that; days
 * already counted keep the zone they were counted in).
 */
final class TenantZones {
  private static final long REMEMBER_NANOS = 60_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Remembered> ZONES = new ConcurrentHashMap<>();

  private record Remembered(ZoneId zone, long at) {}

  private TenantZones() {}

  /** The zone remembered for the tenant, if it is younger than a minute: no connection needed. */
  static java.util.Optional<ZoneId> remembered(String tenantId) {
    Remembered remembered = ZONES.get(tenantId);
    if (remembered == null || System.nanoTime() - remembered.at() >= REMEMBER_NANOS) return java.util.Optional.empty();
    return java.util.Optional.of(remembered.zone());
  }

  static ZoneId zone(Connection connection, String tenantId) throws SQLException {
    java.util.Optional<ZoneId> remembered = remembered(tenantId);
    if (remembered.isPresent()) return remembered.get();
    long now = System.nanoTime();
    ZoneId zone = ZoneOffset.UTC;
    try (PreparedStatement select = connection.prepareStatement("SELECT settings FROM tenants WHERE id = ?")) {
      select.setString(1, tenantId);
      try (ResultSet rs = select.executeQuery()) {
        if (rs.next()) {
          JsonNode settings = JSON.readTree(rs.getString(1));
          if (settings.hasNonNull("timeZone")) zone = ZoneId.of(settings.get("timeZone").asText());
        }
      }
    } catch (DateTimeException | java.io.IOException unreadable) {
      zone = ZoneOffset.UTC;
    }
    ZONES.put(tenantId, new Remembered(zone, now));
    return zone;
  }
}
