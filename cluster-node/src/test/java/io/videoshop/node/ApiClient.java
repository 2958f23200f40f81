package io.videoshop.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.videoshop.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A real HTTP client for a test node's API: {@code api.call("GET", path).bearer(token).send()}. */
public final class ApiClient {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public ApiClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public record Reply(int status, String body, HttpHeaders headers) {
    public JsonNode json() {
      try {
        return body.isEmpty() ? MissingNode.getInstance() : Json.MAPPER.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    public String code() {
      return json().path("code").asText();
    }

    public String detail() {
      return json().path("detail").asText();
    }

    public String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Call call(String method, String path) {
    return new Call(method, path);
  }

  public final class Call {
    private final String method;
    private final String path;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String body;

    private Call(String method, String path) {
      this.method = method;
      this.path = path;
    }

    public Call bearer(String token) {
      return header("Authorization", "Bearer " + token);
    }

    public Call apiKey(String key) {
      return header("X-Api-Key", key);
    }

    public Call header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** A body: a String is sent as is, anything else as JSON. */
    public Call body(Object value) {
      this.body = value instanceof String text ? text : Json.write(value);
      return this;
    }

    public Reply send() {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) request.header("Content-Type", "application/json");
      headers.forEach(request::header);
      try {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body(), response.headers());
      } catch (Exception e) {
        throw new AssertionError(method + " " + path + " failed", e);
      }
    }
  }
}
