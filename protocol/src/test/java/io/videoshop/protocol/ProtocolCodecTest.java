package io.videoshop.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {

  @Test
  void everyMessageCarriesItsTypeAndTheProtocolVersion() {
    assertThat(ProtocolCodec.encode(WidgetEvent.class, new WidgetEvent.Position(3, new WaitRange(60, 240))))
        .isEqualTo("{\"v\":1,\"type\":\"position\",\"position\":3,\"estimatedWait\":{\"lowSeconds\":60,\"highSeconds\":240}}");
    assertThat(ProtocolCodec.encode(ConsoleEvent.class, ErrorMessage.of("rate_limited", "slow down")))
        .isEqualTo("{\"v\":1,\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\"}");
    assertThat(ProtocolCodec.encode(WidgetEvent.class,
        new WidgetEvent.Refused("queue_closed", "closed", Instant.parse("2026-12-01T08:00:00Z"))))
        .contains("\"nextOpeningAt\":\"2026-12-01T08:00:00Z\"");
  }

  @Test
  void requestsRoundTrip() {
    WidgetRequest.Join join = new WidgetRequest.Join("Ada", "ada@example.com", null, "en", List.of("shoes"),
        "trail shoes", "https://shop.example/p/1", null, true);
    String frame = ProtocolCodec.encode(WidgetRequest.class, join);
    assertThat(frame).startsWith("{\"v\":1,\"type\":\"join\"");
    assertThat(ProtocolCodec.decode(WidgetRequest.class, frame).message()).isEqualTo(join);
    assertThat(ProtocolCodec.decode(ConsoleRequest.class, "{\"v\":1,\"type\":\"accept\",\"reservationId\":\"r1\"}").message())
        .isEqualTo(new ConsoleRequest.Accept("r1"));
    assertThat(ProtocolCodec.decode(ConsoleRequest.class, "{\"v\":1,\"type\":\"finish-call\"}").message())
        .isEqualTo(new ConsoleRequest.FinishCall());
  }

  @Test
  void badFramesBecomeErrorsWithStableCodes() {
    assertThat(code("not json")).isEqualTo("invalid_json");
    assertThat(code("[1,2]")).isEqualTo("invalid_json");
    assertThat(code("{\"v\":1,\"name\":\"x\"}")).isEqualTo("missing_type");
    assertThat(code("{\"v\":1,\"type\":\"dance\"}")).isEqualTo("unknown_type");
    assertThat(code("{\"v\":1,\"type\":\"join\",\"name\":\"x\",\"nmae\":\"y\"}")).isEqualTo("invalid_field");
    assertThat(ProtocolCodec.decode(WidgetRequest.class, "{\"v\":1,\"type\":\"join\",\"skills\":\"shoes\"}").error())
        .isEqualTo(new ErrorMessage("invalid_field", "Field \"skills\" has the wrong type", "skills"));
    assertThat(code("{\"type\":\"leave\",\"v\":2}")).isEqualTo("unsupported_version");
    assertThat(code("{\"type\":\"leave\",\"v\":1}")).isNull();
    assertThat(code("{\"type\":\"leave\",\"v\":\"1\"}")).isEqualTo("unsupported_version");
    assertThat(code("{\"type\":\"leave\"}")).as("docs/protocol.md: every message has v").isEqualTo("missing_version");
    // No coercion: a number is not a name, a string is not a flag.
    assertThat(code("{\"v\":1,\"type\":\"join\",\"name\":12345}")).isEqualTo("invalid_field");
    assertThat(code("{\"v\":1,\"type\":\"join\",\"name\":\"x\",\"consent\":\"true\"}")).isEqualTo("invalid_field");
    assertThat(code("{\"type\":\"join\",\"name\":\"" + "x".repeat(ProtocolCodec.MAX_FRAME_BYTES) + "\"}"))
        .isEqualTo("frame_too_large");
  }

  private static String code(String frame) {
    ErrorMessage error = ProtocolCodec.decode(WidgetRequest.class, frame).error();
    return error == null ? null : error.code();
  }
}
