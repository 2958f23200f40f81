package io.videoshop.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.videoshop.http.Access;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * The API's OpenAPI 3 description, written by hand in {@code openapi.yaml} (so it can say what
 * each route means) and served as JSON; a test keeps it and the route table in step.
 */
public final class OpenApiDocument {
  public static final String RESOURCE = "openapi.yaml";

  private OpenApiDocument() {}

  public static JsonNode load() {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  static ApiRoute route() {
    JsonNode document = load();
    return new ApiRoute("GET", "/api/v1/openapi.json", Access.PUBLIC, "This document",
        request -> CompletableFuture.completedFuture(ApiResponse.ok(document)));
  }
}
