package io.videoshop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin API calls the benchmark sets its tenants up with (the README's examples). */
final class AdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  AdminApi(String base) {
    this.base = base;
  }

  String login(String email, String password) {
    return call("POST", "/api/v1/auth/login", null, Map.of("email", email, "password", password), 200)
        .get("accessToken").asText();
  }

  String createTenant(String operator, String name, String slug) {
    return call("POST", "/api/v1/tenants", operator,
        Map.of("name", name, "slug", slug, "timeZone", "UTC", "currency", "EUR"), 201).get("id").asText();
  }

  /** Open all day every day, the queue policy given, widgets allowed on {@code origin}. */
  void openAllDay(String token, String tenantId, int maxLength, int reservationTimeoutSeconds, String origin) {
    Map<String, Object> weekly = new LinkedHashMap<>();
    for (String day : List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")) {
      weekly.put(day, List.of(Map.of("from", "00:00", "to", "00:00")));
    }
    call("PUT", "/api/v1/tenants/" + tenantId + "/settings", token, Map.of(
        "timeZone", "UTC", "currency", "EUR",
        "businessHours", Map.of("weekly", weekly, "exceptions", List.of()),
        "queue", Map.of("maxLength", maxLength, "maxWaitSeconds", 600,
            "reservationTimeoutSeconds", reservationTimeoutSeconds, "routingStrategy", "longest-idle"),
        "allowedOrigins", List.of(origin)), 200);
  }

  /** A widget key allowed on {@code origin}: its public key. */
  String widgetKey(String token, String tenantId, String origin) {
    return call("POST", "/api/v1/tenants/" + tenantId + "/widget-keys", token,
        Map.of("name", "bench store", "allowedOrigins", List.of(origin)), 201).get("publicKey").asText();
  }

  void invite(String token, String tenantId, String email, String role) {
    call("POST", "/api/v1/tenants/" + tenantId + "/invitations", token, Map.of("email", email, "role", role), 201);
  }

  /** Accepts an invitation: the new user's id. */
  String accept(String invitationToken, String displayName, String password) {
    return call("POST", "/api/v1/invitations/accept", null,
        Map.of("token", invitationToken, "displayName", displayName, "password", password), 201).get("id").asText();
  }

  private JsonNode call(String method, String path, String bearer, Object body, int expected) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
          .header("Content-Type", "application/json");
      if (bearer != null) request.header("Authorization", "Bearer " + bearer);
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
            + response.body());
      }
      return JSON.readTree(response.body());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
