package io.videoshop.http;

import java.util.Map;

/** A handler's answer: status, a body to write as JSON (or text for CSV/YAML), extra headers. */
public record ApiResponse(int status, Object body, String contentType, Map<String, String> headers) {

  public static ApiResponse ok(Object body) {
    return new ApiResponse(200, body, null, Map.of());
  }

  public static ApiResponse created(Object body) {
    return new ApiResponse(201, body, null, Map.of());
  }

  public static ApiResponse accepted(Object body) {
    return new ApiResponse(202, body, null, Map.of());
  }

  public static ApiResponse noContent() {
    return new ApiResponse(204, null, null, Map.of());
  }

  /** Bytes as they are, e.g. a zip; with headers such as Content-Disposition. */
  public static ApiResponse bytes(String contentType, byte[] body, Map<String, String> headers) {
    return new ApiResponse(200, body, contentType, headers);
  }

  /** A body already rendered, e.g. CSV. */
  public static ApiResponse text(String contentType, String body) {
    return new ApiResponse(200, body, contentType, Map.of());
  }
}
