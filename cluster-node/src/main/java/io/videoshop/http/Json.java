package io.videoshop.http;

import io.videoshop.domain.FieldError;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.videoshop.protocol.StrictTypes;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
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
  /** Any string of a request body: longer is refused before it reaches a query. */
  public static final int MAX_STRING = 2_000;
  /** Tighter bounds by field name, matching the columns they are stored in. */
  static final Map<String, Integer> FIELD_BOUNDS = Map.of("email", 320, "name", 200, "displayName", 200,
      "slug", 63, "password", 1_000, "token", 1_000, "refreshToken", 200);
  /** Fields that are free text: line breaks and tabs are allowed there (other control characters never). */
  static final Set<String> MULTI_LINE = Set.of("note", "notes", "comment", "body", "message");

  public static final ObjectMapper MAPPER = StrictTypes.apply(new ObjectMapper())
      .registerModule(new SimpleModule("bounded-strings").addDeserializer(String.class, new BoundedString()))
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
      T value = MAPPER.readValue(body, type);
      if (value == null) throw ApiError.badRequest("missing_body", "The body must be a JSON object, not null");
      return value;
    } catch (RefusedString e) {
      String field = path(e);
      throw ApiError.invalid(field.isEmpty() ? "body" : field, e.code, e.getOriginalMessage());
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

  /**
   * Strings exactly as sent: a number or a flag is not a string (no coercion), a string over its
   * bound or with a control character is refused with the field it is in. NUL is refused
   * everywhere (PostgreSQL cannot store it, and an agent would be shown it).
   */
  private static final class BoundedString extends StdScalarDeserializer<String> {
    BoundedString() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      if (!parser.hasToken(JsonToken.VALUE_STRING)) return (String) context.handleUnexpectedToken(String.class, parser);
      String value = parser.getText();
      String field = parser.currentName();
      int bound = field == null ? MAX_STRING : FIELD_BOUNDS.getOrDefault(field, MAX_STRING);
      if (value.length() > bound) {
        throw new RefusedString(parser, "too_long", "must be at most " + bound + " characters");
      }
      boolean multiLine = field != null && MULTI_LINE.contains(field);
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (Character.isISOControl(c) && !(multiLine && (c == '\n' || c == '\r' || c == '\t'))) {
          throw new RefusedString(parser, "control_character", "must not contain control characters");
        }
      }
      return value;
    }
  }

  /** A string the API does not take; carries the field's path like Jackson's own errors. */
  private static final class RefusedString extends JsonMappingException {
    final String code;

    RefusedString(JsonParser parser, String code, String message) {
      super(parser, message);
      this.code = code;
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }
}
