package io.videoshop.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The API's JSON: ISO-8601 times, absent fields left out, and strict reading — an unknown field
 * is rejected (400 {@code unknown_field}) rather than silently ignored, so a typo never passes
 * for a setting that was applied.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // 10.5 for a whole number (minor units of money, counts) is an error, never silently 10.
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Json() {}

  /** Reads a request body; every failure is a 400 problem naming what is wrong. */
  public static <T> T read(String body, Class<T> type) {
    if (body == null || body.isBlank()) throw ApiError.badRequest("missing_body", "A JSON body is required");
    try {
      return MAPPER.readValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      throw new ApiError(StatusCodes.BAD_REQUEST, "unknown_field",
          "Unknown field \"" + path(e) + "\"", List.of(new FieldError(path(e), "unknown_field",
              "is not a field of this request")), null);
    } catch (MismatchedInputException e) {
      String field = path(e);
      throw new ApiError(StatusCodes.BAD_REQUEST, "invalid_field",
          field.isEmpty() ? "The body has the wrong shape" : "Field \"" + field + "\" has the wrong type",
          field.isEmpty() ? List.of()
              : List.of(new FieldError(field, "invalid_type", "has the wrong type")), null);
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("malformed_json", "The body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for " + value.getClass(), e);
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }
}
