package io.videoshop.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A client that does not read: what waits for it is coalesced (positions, queue states) but an
 * assignment, an offer, a reconnect or a signaling frame is never dropped; one that falls too far
 * behind on those is closed.
 */
class SlowClientTest {
  private static final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "slow-client");

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static Sockets.Frame position(int n) {
    return new Sockets.Frame("{\"type\":\"position\",\"position\":" + n + "}", "position");
  }

  /** Runs the frames into a client that reads one and then stops until everything was told. */
  private static List<String> readSlowly(List<Sockets.Outbound> told, int limit) throws Exception {
    Pair<CompletionStage<Done>, SinkQueueWithCancel<Sockets.Frame>> run = Source.from(told)
        .watchTermination(Keep.right())
        .via(Sockets.toClient(limit))
        .toMat(Sink.<Sockets.Frame>queue().withAttributes(Attributes.inputBuffer(1, 1)), Keep.both())
        .run(system);
    List<String> read = new ArrayList<>();
    read.add(run.second().pull().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow().text());
    // Everything was told while the client read nothing more.
    run.first().toCompletableFuture().get(5, TimeUnit.SECONDS);
    while (true) {
      Optional<Sockets.Frame> next = run.second().pull().toCompletableFuture().get(5, TimeUnit.SECONDS);
      if (next.isEmpty()) return read;
      read.add(next.get().text());
    }
  }

  @Test
  void positionsAreCoalescedAndNothingElseIsDropped() throws Exception {
    List<Sockets.Outbound> told = new ArrayList<>();
    for (int i = 1; i <= 300; i++) told.add(position(i));
    told.add(new Sockets.Frame("{\"type\":\"reservation\"}"));
    for (int i = 301; i <= 600; i++) told.add(position(i));
    told.add(new Sockets.Frame("{\"type\":\"assigned\"}"));
    told.add(new Sockets.Frame("{\"type\":\"signal\"}"));
    told.add(new Sockets.Frame("{\"type\":\"reconnect\"}"));
    List<String> read = readSlowly(told, 128);
    assertThat(read).as("600 positions were told, far more than the buffer").hasSizeLessThan(10);
    assertThat(read.subList(1, read.size())).containsSubsequence("{\"type\":\"reservation\"}",
        "{\"type\":\"assigned\"}", "{\"type\":\"signal\"}", "{\"type\":\"reconnect\"}");
    assertThat(read.stream().filter(frame -> frame.contains("position")).reduce((a, b) -> b).orElseThrow())
        .as("the latest position reaches the client").contains("\"position\":600");
  }

  @Test
  void aClientTooFarBehindOnFramesThatMustArriveIsClosedNotSilentlyShortened() {
    List<Sockets.Outbound> told = new ArrayList<>();
    for (int i = 0; i < 200; i++) told.add(new Sockets.Frame("{\"type\":\"signal\",\"n\":" + i + "}"));
    assertThatThrownBy(() -> readSlowly(told, 128)).hasRootCauseInstanceOf(Sockets.TooSlow.class);
  }
}
