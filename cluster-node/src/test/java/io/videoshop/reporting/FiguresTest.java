package io.videoshop.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The formulas of docs/reporting.md on the worked example there. */
class FiguresTest {

  @Test
  void theWorkedExample() {
    Figures f = new Figures();
    f.queued = 10;
    f.answered = 6;
    f.abandonedLeft = 2;
    f.abandonedAfterExpiry = 1;
    f.abandonedDisconnected = 1;
    f.answerWaits.add(DurationSketch.of(5, 20, 40, 60, 90, 200));
    f.answerWaitMs = (5 + 20 + 40 + 60 + 90 + 200) * 1000L;
    f.longestWaitMs = 310_000;
    f.availableMs = 3_600_000;
    f.busyMs = 5_400_000;
    f.handled = 6;
    f.handleMs = 6 * 420_000L;
    f.calls = 6;
    f.ended = 6;
    f.talkSeconds = 6 * 300;
    f.talkDurations.add(DurationSketch.of(100, 200, 300, 300, 400, 500));
    f.rated = 4;
    f.ratingSum = 5 + 4 + 3 + 5;
    f.rated45 = 3;
    f.productsShown = 9;
    f.callsWithCart = 3;
    Figures.View view = f.view(60);
    assertThat(view.queue().abandoned()).isEqualTo(4);
    assertThat(view.queue().abandonmentRate()).isEqualTo(0.4);
    assertThat(view.queue().serviceLevel()).isEqualTo(0.4); // 5, 20, 40, 60 within 60 s: 4 of 10
    assertThat(view.queue().averageSpeedOfAnswerMs()).isEqualTo(69_167);
    assertThat(view.queue().waitP50Ms()).isEqualTo(40_000);
    assertThat(view.queue().waitP90Ms()).isEqualTo(200_000);
    assertThat(view.agents().occupancy()).isEqualTo(0.6);
    assertThat(view.agents().averageHandleTimeMs()).isEqualTo(420_000);
    assertThat(view.calls().averageDurationMs()).isEqualTo(300_000);
    assertThat(view.calls().durationP90Ms()).isEqualTo(500_000);
    assertThat(view.feedback().averageRating()).isEqualTo(4.25);
    assertThat(view.feedback().shareRated4To5()).isEqualTo(0.75);
    assertThat(view.feedback().responseRate()).isEqualTo(0.6667);
    assertThat(view.commerce().productsPerCall()).isEqualTo(1.5);
    assertThat(view.commerce().conversion()).isEqualTo(0.5);
  }

  @Test
  void nothingToDivideByGivesNoRateRatherThanZero() {
    Figures.View view = new Figures().view(60);
    assertThat(view.queue().serviceLevel()).isNull();
    assertThat(view.agents().occupancy()).isNull();
    assertThat(view.feedback().averageRating()).isNull();
  }

  @Test
  void addingDaysAddsCountsAndKeepsTheLongestWait() {
    Figures a = new Figures();
    a.answered = 1;
    a.longestWaitMs = 50_000;
    a.answerWaits.add(DurationSketch.of(50));
    Figures b = new Figures();
    b.answered = 2;
    b.longestWaitMs = 20_000;
    b.answerWaits.add(DurationSketch.of(10, 20));
    Figures sum = new Figures().add(a).add(b);
    assertThat(sum.answered).isEqualTo(3);
    assertThat(sum.longestWaitMs).isEqualTo(50_000);
    assertThat(sum.answerWaits.sketch().percentile(0.5)).isEqualTo(20);
  }
}
