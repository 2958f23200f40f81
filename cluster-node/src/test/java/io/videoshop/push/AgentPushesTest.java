package io.videoshop.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What agents are pushed: topics that collapse repeats, TTLs that end with the moment, no shopper's details. */
class AgentPushesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void anOffersTtlIsTheReservationsRemainingTimeAndNothingOnceItHasLapsed() throws Exception {
    PushMessage offer = AgentPushes.offer(NOW.plusSeconds(25), NOW);
    assertThat(offer.ttl()).isEqualTo(Duration.ofSeconds(25));
    assertThat(offer.topic()).isEqualTo("offer");
    assertThat(offer.urgency()).isEqualTo(PushMessage.Urgency.HIGH);
    JsonNode payload = JSON.readTree(offer.payload());
    assertThat(payload.get("kind").asText()).isEqualTo("offer");
    assertThat(payload.get("body").asText()).contains("25 seconds");
    assertThat(payload.get("url").asText()).isEqualTo("/console");

    assertThat(AgentPushes.offer(NOW.minusSeconds(1), NOW).ttl()).isZero();
  }

  @Test
  void remindersAndArrivalsCollapsePerAppointmentWithinTheTopicLimit() {
    PushMessage first = AgentPushes.appointmentReminder("appointment-0f8fad5b-d9cb-469f-a165-70867728950e",
        NOW.plus(Duration.ofMinutes(15)), NOW);
    PushMessage again = AgentPushes.appointmentReminder("appointment-0f8fad5b-d9cb-469f-a165-70867728950e",
        NOW.plus(Duration.ofMinutes(15)), NOW.plus(Duration.ofMinutes(10)));
    PushMessage other = AgentPushes.appointmentReminder("appointment-7c9e6679-7425-40de-944b-e07fc1f90ae7",
        NOW.plus(Duration.ofMinutes(15)), NOW);

    assertThat(first.topic()).matches("[A-Za-z0-9_-]{1,32}").startsWith("reminder-").isEqualTo(again.topic())
        .isNotEqualTo(other.topic());
    assertThat(first.ttl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(again.ttl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(new String(again.payload())).contains("5 minutes");
    assertThat(first.urgency()).isEqualTo(PushMessage.Urgency.NORMAL);

    PushMessage arrived = AgentPushes.bookedShopperArrived("appointment-1", Duration.ofMinutes(2));
    assertThat(arrived.topic()).matches("[A-Za-z0-9_-]{1,32}").startsWith("arrived-");
    assertThat(arrived.ttl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(arrived.urgency()).isEqualTo(PushMessage.Urgency.HIGH);
  }
}
