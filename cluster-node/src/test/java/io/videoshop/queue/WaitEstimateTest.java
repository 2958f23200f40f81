package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WaitEstimateTest {

  private static WaitEstimate.Range range(long lowMinutes, long highMinutes) {
    return new WaitEstimate.Range(Duration.ofMinutes(lowMinutes), Duration.ofMinutes(highMinutes));
  }

  private static List<Duration> minutes(long... values) {
    return LongStream.of(values).mapToObj(Duration::ofMinutes).toList();
  }

  @Test
  void withoutFinishedCallsAssumesFiveMinutes() {
    WaitEstimate estimate = WaitEstimate.of(List.of(), 1, 0);
    assertThat(estimate.atPosition(1)).contains(range(5, 6));
    assertThat(estimate.atPosition(3)).contains(range(15, 16));
  }

  @Test
  void usesTheQuartilesOfRecentHandleTimesSharedByStaffedAgents() {
    // Quartiles of 2, 4, 6, 8 min by nearest rank: 2 and 6; two busy agents, third in line.
    WaitEstimate estimate = WaitEstimate.of(minutes(8, 2, 6, 4), 2, 0);
    assertThat(estimate.atPosition(3)).contains(range(3, 9));
  }

  @Test
  void aFreeAgentMeansUnderAMinute() {
    WaitEstimate estimate = WaitEstimate.of(minutes(10), 3, 1);
    assertThat(estimate.atPosition(1)).contains(range(0, 1));
    assertThat(estimate.atPosition(2)).contains(range(3, 4));
  }

  @Test
  void roundsLowDownAndHighUpToWholeMinutes() {
    WaitEstimate estimate = WaitEstimate.of(List.of(Duration.ofSeconds(90), Duration.ofSeconds(150)), 1, 0);
    // Quartiles 90 s and 150 s: 1.5 min rounds down to 1, 2.5 min up to 3.
    assertThat(estimate.atPosition(1)).contains(range(1, 3));
  }

  @Test
  void onlyTheLastTwentyCallsCount() {
    List<Duration> times = new ArrayList<>(Collections.nCopies(5, Duration.ofMinutes(60)));
    times.addAll(Collections.nCopies(WaitEstimate.SAMPLE_SIZE, Duration.ofMinutes(1)));
    assertThat(WaitEstimate.of(times, 1, 0).atPosition(1)).contains(range(1, 2));
  }

  @Test
  void noAgentOnDutyGivesNoEstimate() {
    assertThat(WaitEstimate.of(minutes(3), 0, 0).atPosition(1)).isEmpty();
  }
}
