package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.videoshop.access.SigningKeys;
import io.videoshop.config.AuthSettings;
import io.videoshop.http.Sockets;
import io.videoshop.access.RoomTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The console's accept when the queue's answer is late: asked again (the queue answers the same
 * accept with the same room), and the room announced from the queue's update if no answer comes.
 */
class AgentSessionTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("videoshop.cluster.ask-timeout = 300ms").withFallback(ConfigFactory.load()));
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private static final String SECRET = "ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz";

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private record Console(ActorRef<AgentSession.Command> session, TestProbe<TenantQueue.Command> queue,
      TestProbe<Sockets.Outbound> out, ActorRef<QueueFeed.View> feed) {}

  private static Console console() {
    AuthSettings auth = new AuthSettings(SECRET, List.of(), Duration.ofMinutes(15), Duration.ofDays(30),
        Duration.ofDays(7), Duration.ofHours(1), 5, Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofHours(2),
        Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofHours(1));
    Clock clock = Clock.fixed(NOW, java.time.ZoneOffset.UTC);
    TestProbe<TenantQueue.Command> queue = testKit.createTestProbe();
    TestProbe<QueueFeeds.Command> feeds = testKit.createTestProbe();
    TestProbe<Sockets.Outbound> out = testKit.createTestProbe();
    ActorRef<AgentSession.Command> session = testKit.spawn(AgentSession.create("tenant-1", "agent-1", 0, out.ref(),
        TestEntityRef.of(TenantQueue.ENTITY_KEY, "tenant-1", queue.ref()), feeds.ref(),
        new RoomTokens(new SigningKeys(auth), Duration.ofMinutes(5), clock), clock));
    QueueFeeds.Attach attach = feeds.expectMessageClass(QueueFeeds.Attach.class);
    out.expectMessageClass(Sockets.Frame.class); // hello
    return new Console(session, queue, out, attach.session());
  }

  private static void accept(Console console, String reservationId) {
    console.session().tell(new AgentSession.FromClient(new Sockets.Text(
        "{\"v\":1,\"type\":\"accept\",\"reservationId\":\"" + reservationId + "\"}")));
  }

  private static List<String> frames(TestProbe<Sockets.Outbound> out) {
    List<String> frames = new ArrayList<>();
    while (true) {
      try {
        frames.add(((Sockets.Frame) out.receiveMessage(Duration.ofMillis(500))).text());
      } catch (AssertionError e) {
        return frames;
      }
    }
  }

  @Test
  void aLateAnswerIsAskedForAgainAndTheRoomIsAnnouncedOnce() {
    Console console = console();
    accept(console, "r-1");
    TenantQueue.AcceptReservation first = console.queue().expectMessageClass(TenantQueue.AcceptReservation.class);
    // No answer in time: the console asks again, the same reservation.
    TenantQueue.AcceptReservation second = console.queue().expectMessageClass(TenantQueue.AcceptReservation.class,
        Duration.ofSeconds(3));
    assertThat(second.reservationId()).isEqualTo("r-1");
    TenantQueue.Assigned assigned = new TenantQueue.Assigned("r-1", "t-1", "agent-1", "room-1", "shopper-s1");
    second.replyTo().tell(assigned);
    first.replyTo().tell(assigned); // the late first answer, after its ask gave up
    // And the queue's update saying so.
    console.feed().tell(new QueueFeed.View(
        List.of(new TenantQueue.ReservationAccepted("r-1", "t-1", "agent-1", "room-1", NOW)),
        TenantQueue.State.EMPTY.view("tenant-1", NOW), Map.of()));
    assertThat(frames(console.out()).stream().filter(frame -> frame.contains("\"type\":\"assigned\"")))
        .as("one assignment, with the room").hasSize(1).allMatch(frame -> frame.contains("\"roomId\":\"room-1\""));
  }

  @Test
  void withNoAnswerAtAllTheQueuesUpdateStillGivesTheAgentTheRoom() {
    Console console = console();
    accept(console, "r-2");
    console.queue().expectMessageClass(TenantQueue.AcceptReservation.class);
    // The accept went through in the queue (the agent is busy there), but every answer is lost.
    console.feed().tell(new QueueFeed.View(
        List.of(new TenantQueue.ReservationAccepted("r-2", "t-2", "agent-1", "room-2", NOW)),
        TenantQueue.State.EMPTY.view("tenant-1", NOW), Map.of()));
    List<String> frames = frames(console.out());
    assertThat(frames).anyMatch(frame -> frame.contains("\"type\":\"assigned\"") && frame.contains("room-2"));
  }
}
