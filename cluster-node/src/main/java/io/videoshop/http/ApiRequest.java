package io.videoshop.http;

import io.videoshop.domain.Caller;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a handler gets: the checked caller, path parameters, query, raw body and headers. */
public record ApiRequest(
    Caller caller, Map<String, String> pathParams, Map<String, List<String>> query, String body,
    Map<String, String> headers) {

  public String path(String name) {
    String value = pathParams.get(name);
    if (value == null) throw new IllegalStateException("route has no path parameter " + name);
    return value;
  }

  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** An integer query parameter within bounds; 400 {@code invalid_query} otherwise. */
  public int intQuery(String name, int fallback, int min, int max) {
    Optional<String> raw = query(name);
    if (raw.isEmpty()) return fallback;
    try {
      int value = Integer.parseInt(raw.get());
      if (value >= min && value <= max) return value;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ApiError.badRequest("invalid_query", "Query parameter " + name + " must be a whole number from " + min
        + " to " + max);
  }

  /** An ISO-8601 instant query parameter; 400 {@code invalid_query} otherwise. */
  public Optional<Instant> instantQuery(String name) {
    try {
      return query(name).map(Instant::parse);
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_query", "Query parameter " + name + " must be an ISO-8601 instant such as "
          + "2026-11-30T00:00:00Z");
    }
  }

  /** A header by lower-case name. */
  public Optional<String> header(String lowerCaseName) {
    return Optional.ofNullable(headers.get(lowerCaseName));
  }

  public <T> T body(Class<T> type) {
    return Json.read(body, type);
  }
}
