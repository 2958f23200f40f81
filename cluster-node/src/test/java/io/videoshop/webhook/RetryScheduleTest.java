package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  @Test
  void followsTheScheduleWithAtMostTenPercentJitterThenFails() {
    Random random = new Random(42);
    Duration[] expected = {Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
        Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10)};
    assertThat(RetrySchedule.delayAfter(0, Optional.empty(), random)).hasValue(Duration.ZERO);
    for (int failed = 1; failed <= 7; failed++) {
      Duration base = expected[failed - 1];
      for (int i = 0; i < 200; i++) {
        Duration delay = RetrySchedule.delayAfter(failed, Optional.empty(), random).orElseThrow();
        assertThat(delay).as("after %d failures", failed).isBetween(base, base.plusMillis(base.toMillis() / 10));
      }
    }
    assertThat(RetrySchedule.delayAfter(8, Optional.empty(), random)).as("8 attempts, then failed").isEmpty();
  }

  @Test
  void retryAfterIsHonouredWhenLongerAndCappedAtTenHours() {
    Random random = new Random(7);
    assertThat(RetrySchedule.delayAfter(1, Optional.of(Duration.ofSeconds(120)), random))
        .hasValue(Duration.ofSeconds(120));
    assertThat(RetrySchedule.delayAfter(3, Optional.of(Duration.ofSeconds(1)), random).orElseThrow())
        .isGreaterThanOrEqualTo(Duration.ofMinutes(30));
    assertThat(RetrySchedule.delayAfter(1, Optional.of(Duration.ofDays(3)), random)).hasValue(Duration.ofHours(10));
  }
}
