package io.videoshop.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DurationSketchTest {

  @Test
  void percentilesAreExactBelowTenMinutes() {
    DurationSketch sketch = DurationSketch.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 100);
    assertThat(sketch.percentile(0.5)).isEqualTo(50);
    assertThat(sketch.percentile(0.9)).isEqualTo(90);
    assertThat(sketch.percentile(1.0)).isEqualTo(100);
    assertThat(sketch.countAtMost(60)).isEqualTo(6);
    assertThat(sketch.countAtMost(59)).isEqualTo(5);
  }

  @Test
  void anEmptySketchHasNoPercentile() {
    assertThat(DurationSketch.empty().percentile(0.5)).isNull();
    assertThat(DurationSketch.empty().encode()).isNull();
    assertThat(DurationSketch.decode(null)).isEqualTo(DurationSketch.empty());
  }

  @Test
  void longDurationsAreAtMostFivePercentLow() {
    for (long seconds : new long[] {600, 601, 1_000, 3_599, 7_200, 86_400}) {
      long p = DurationSketch.of(seconds).percentile(1.0);
      assertThat(p).as("%d s", seconds).isLessThanOrEqualTo(seconds).isGreaterThanOrEqualTo((long) (seconds * 0.95));
    }
  }

  @Test
  void mergingDaysGivesTheSameSketchAsRecordingThemTogether() {
    Random random = new Random(13);
    DurationSketch all = DurationSketch.empty();
    DurationSketch merged = DurationSketch.empty();
    for (int day = 0; day < 30; day++) {
      DurationSketch oneDay = DurationSketch.empty();
      for (int i = 0; i < 50; i++) {
        long seconds = (long) Math.abs(random.nextGaussian() * 400);
        oneDay = oneDay.with(seconds);
        all = all.with(seconds);
      }
      merged = merged.merge(DurationSketch.decode(oneDay.encode()));
    }
    assertThat(merged).isEqualTo(all);
    DurationSketch.Sum sum = new DurationSketch.Sum();
    sum.addEncoded(merged.encode()).addEncoded(null).add(DurationSketch.of(7));
    assertThat(sum.sketch()).isEqualTo(all.with(7));
    assertThat(merged.count()).isEqualTo(1_500);
    assertThat(DurationSketch.decode(merged.encode())).isEqualTo(merged);
  }

  @Test
  void daysJoinedByCommasReadAsTheirMergeAndAMonthRowWrittenOnThemStoresTheMerge() {
    // What the migration's SQL roll-up of existing days writes: the days' encodings, comma-joined.
    DurationSketch first = DurationSketch.of(5, 20, 700);
    DurationSketch second = DurationSketch.of(20, 61);
    String joined = first.encode() + "," + second.encode();
    DurationSketch month = DurationSketch.decode(joined);
    assertThat(month).isEqualTo(first.merge(second));
    assertThat(month.count()).isEqualTo(5);
    assertThat(new DurationSketch.Sum().addEncoded(joined).sketch()).isEqualTo(month);
    // The next write to the month (ReportRow) decodes, adds and encodes it as one sketch again.
    assertThat(DurationSketch.decode(month.with(30).encode())).isEqualTo(first.merge(second).with(30));
    assertThat(month.with(30).encode()).doesNotContain(",");
  }
}
