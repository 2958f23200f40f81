package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.domain.FieldError;
import io.videoshop.http.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy's reminder fields: defaults, old policies without them, order, and the ranges. */
class BookingPolicyTest {
  @Test
  void remindersDefaultTo24HoursAnd1HourAndTheAgentTo10Minutes() throws Exception {
    BookingPolicy defaults = BookingPolicy.defaults();
    assertThat(defaults.reminderMinutes()).containsExactly(1440, 60);
    assertThat(defaults.agentReminderMinutes()).isEqualTo(10);
    // A policy set before reminders existed (its event has no such fields) reads with the defaults.
    BookingPolicy old = Json.MAPPER.readValue("""
        {"slotMinutes":30,"intervalMinutes":30,"bufferBeforeMinutes":0,"bufferAfterMinutes":0,"minNoticeMinutes":120,
         "horizonDays":30,"maxPerAgentPerDay":16,"changeNoticeMinutes":120}""", BookingPolicy.class);
    assertThat(old.reminderMinutes()).containsExactly(1440, 60);
    assertThat(old.agentReminderMinutes()).isEqualTo(10);
    assertThat(old.noShowAfterMinutes()).as("the no-show time too").isEqualTo(15);
    assertThat(old.problems()).isEmpty();
  }

  @Test
  void remindersAreOrderedEarliestFirstWithoutRepeatsAndNoneIsAllowed() {
    assertThat(policy(List.of(60, 1440, 60), 0).reminderMinutes()).containsExactly(1440, 60);
    BookingPolicy none = policy(List.of(), 0);
    assertThat(none.reminderMinutes()).isEmpty();
    assertThat(none.problems()).isEmpty();
  }

  @Test
  void outOfRangeRemindersAreNamed() {
    assertThat(codes(policy(List.of(4), 10))).containsExactly("reminderMinutes:out_of_range");
    assertThat(codes(policy(List.of(20_161), 10))).containsExactly("reminderMinutes:out_of_range");
    assertThat(codes(policy(List.of(10, 20, 30, 40), 10))).containsExactly("reminderMinutes:too_many");
    assertThat(codes(policy(List.of(60), 1_441))).containsExactly("agentReminderMinutes:out_of_range");
    assertThat(codes(policy(List.of(60), -1))).containsExactly("agentReminderMinutes:out_of_range");
    assertThat(codes(new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120, null, null, 0, null, null)))
        .containsExactly("noShowAfterMinutes:out_of_range");
    assertThat(codes(new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120, null, null, 241, null, null)))
        .containsExactly("noShowAfterMinutes:out_of_range");
  }

  private static BookingPolicy policy(List<Integer> reminders, int agent) {
    return new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120, reminders, agent);
  }

  private static List<String> codes(BookingPolicy policy) {
    return policy.problems().stream().map((FieldError e) -> e.field() + ":" + e.code()).toList();
  }

}
