package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.stream.Collectors;

/**
 * The one JSON codec of the socket protocol, shared by the server, the tests and the load
 * generator. Every message is an object with a {@code type} and the protocol version {@code v};
 * reading never throws: a bad frame becomes an {@link ErrorMessage} with a stable code.
 */
public final class ProtocolCodec {
  public static final int VERSION = 1;
  /** Frames larger than this are refused with {@code frame_too_large}. */
  public static final int MAX_FRAME_BYTES = 16 * 1024;

  private static final ObjectMapper MAPPER = StrictTypes.apply(new ObjectMapper())
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private ProtocolCodec() {}

  /** A decoded frame: either the message or why it could not be read. */
  public record Decoded<T>(T message, ErrorMessage error) {
    public boolean ok() {
      return error == null;
    }
  }

  /** Writes a message as the given protocol type (the interface names the {@code type}). */
  public static <T> String encode(Class<T> as, T message) {
    try {
      // Cheaper than a tree round trip on the hot path (a position update to every waiting shopper).
      return "{\"v\":" + VERSION + "," + MAPPER.writerFor(as).writeValueAsString(message).substring(1);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message, e);
    }
  }

  public static <T> Decoded<T> decode(Class<T> as, String frame) {
    if (frame.length() > MAX_FRAME_BYTES) {
      return error("frame_too_large", "Frames may be at most " + MAX_FRAME_BYTES + " bytes", null);
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(frame);
    } catch (JsonProcessingException e) {
      return error("invalid_json", "The frame is not JSON: " + e.getOriginalMessage(), null);
    }
    if (!(tree instanceof ObjectNode object)) return error("invalid_json", "A message is a JSON object", null);
    JsonNode version = object.remove("v");
    if (version == null) {
      return error("missing_version", "A message needs the protocol version \"v\": " + VERSION, "v");
    }
    if (!version.isInt() || version.asInt() != VERSION) {
      return error("unsupported_version", "This server speaks protocol version " + VERSION, "v");
    }
    if (!object.hasNonNull("type") || !object.get("type").isTextual()) {
      return error("missing_type", "A message needs a \"type\"", "type");
    }
    try {
      return new Decoded<>(MAPPER.treeToValue(object, as), null);
    } catch (InvalidTypeIdException e) {
      return error("unknown_type", "Unknown message type \"" + object.get("type").asText() + "\"", "type");
    } catch (UnrecognizedPropertyException e) {
      return error("invalid_field", "Unknown field \"" + e.getPropertyName() + "\"", e.getPropertyName());
    } catch (MismatchedInputException e) {
      String field = e.getPath().stream().map(ref -> ref.getFieldName() == null ? "[" + ref.getIndex() + "]"
          : ref.getFieldName()).collect(Collectors.joining("."));
      return error("invalid_field", "Field \"" + field + "\" has the wrong type", field);
    } catch (JsonProcessingException e) {
      return error("invalid_json", "The message cannot be read: " + e.getOriginalMessage(), null);
    }
  }

  private static <T> Decoded<T> error(String code, String message, String field) {
    return new Decoded<>(null, new ErrorMessage(code, message, field));
  }
}
