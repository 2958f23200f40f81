package io.videoshop.room;

import io.videoshop.domain.RoomPass;
import io.videoshop.node.EntityTestKits;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.MovableClock;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.queue.TenantQueue;
import io.videoshop.wallet.Admission;
import io.videoshop.wallet.BalanceLevel;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.WalletUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The room's lifecycle on the entity alone: start, minutes exactly once, grace, ends, recovery. */
class CallRoomTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");
  private static final CallRoom.Timings TIMINGS = new CallRoom.Timings(Duration.ofSeconds(30), Duration.ofMinutes(2),
      Duration.ofSeconds(60));
  private static final RoomPass SHOPPER = RoomPass.shopper("room-1", "tenant-1", "ticket-1", "agent-1", "shopper-s1");
  private static final RoomPass AGENT = RoomPass.agent("room-1", "tenant-1", "ticket-1", "agent-1", "shopper-s1");

  private MovableClock clock;
  private ConcurrentLinkedQueue<TenantQueue.Command> toQueue;
  private ConcurrentLinkedQueue<Wallet.Command> toWallet;
  private EventSourcedBehaviorTestKit<CallRoom.Command, CallRoom.Event, CallRoom.State> room;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private TestProbe<CallRoom.Outgoing> shopper;
  private TestProbe<CallRoom.Outgoing> agent;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    clock = new MovableClock(START);
    toQueue = new ConcurrentLinkedQueue<>();
    toWallet = new ConcurrentLinkedQueue<>();
    CallRoom.Neighbours neighbours = new CallRoom.Neighbours() {
      @Override
      public void tellQueue(String tenantId, TenantQueue.Command command) {
        toQueue.add(command);
      }

      @Override
      public void tellWallet(String tenantId, Wallet.Command command) {
        toWallet.add(command);
      }
    };
    shard = testKit.createTestProbe();
    room = EventSourcedBehaviorTestKit.create(testKit.system(),
        CallRoom.create("room-1", TIMINGS, clock, neighbours, shard.ref()));
    shopper = testKit.createTestProbe();
    agent = testKit.createTestProbe();
  }

  private CallRoom.JoinReply join(RoomPass pass, TestProbe<CallRoom.Outgoing> session) {
    return room.<CallRoom.JoinReply>runCommand(replyTo -> new CallRoom.Join(pass, session.ref(), "Chrome",
        new EncryptedPersonalData(pass.shopperSubject(), "ip"), 60, 0, replyTo)).reply();
  }

  private void bothJoin() {
    join(AGENT, agent);
    join(SHOPPER, shopper);
  }

  private void advance(Duration duration) {
    clock.advance(duration);
    manualTime.timePasses(duration);
  }

  @Test
  void theCallAndItsFirstMinuteStartWhenBothAreIn() {
    assertThat(join(AGENT, agent)).isInstanceOf(CallRoom.Admitted.class);
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.WAITING);
    var result = room.<CallRoom.JoinReply>runCommand(replyTo -> new CallRoom.Join(SHOPPER, shopper.ref(), "Firefox",
        null, 60, 0, replyTo));
    assertThat(result.events()).hasSize(3);
    assertThat(result.events().get(1)).isInstanceOf(CallRoom.CallStarted.class);
    assertThat(result.events().get(2)).isEqualTo(new CallRoom.MinuteStarted("tenant-1", 0, START));
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.IN_CALL);
    assertThat(((CallRoom.Admitted) result.reply()).peerConnected()).isTrue();
    agent.expectMessageClass(CallRoom.Outgoing.class); // peer-joined
    assertThat(agent.receiveMessage().frame()).contains("\"type\":\"call-started\"");
  }

  @Test
  void eachStartedMinuteIsRecordedOnceAndCaughtUpAfterAShortRestart() {
    bothJoin();
    advance(Duration.ofSeconds(60));
    advance(Duration.ofSeconds(60));
    assertThat(room.getState().minutesStarted()).isEqualTo(3);
    // The room moves (its node hands it off) and is back within the reconnect grace; the
    // participants join it again and the minute due meanwhile is recorded, once.
    clock.advance(Duration.ofSeconds(20));
    room.restart();
    room.runCommand(new CallRoom.Join(AGENT, agent.ref(), "Chrome", null, 60, 0, testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    room.runCommand(new CallRoom.Join(SHOPPER, shopper.ref(), "Chrome", null, 60, 0, testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    manualTime.timePasses(Duration.ofMillis(1));
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.IN_CALL);
    assertThat(room.getState().minutesStarted()).as("minutes 0..2 started by 2m20s").isEqualTo(3);
    advance(Duration.ofSeconds(40));
    assertThat(room.getState().minutesStarted()).as("minute 3 at 3m").isEqualTo(4);
    room.restart();
    room.runCommand(new CallRoom.Join(AGENT, agent.ref(), "Chrome", null, 60, 0, testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    room.runCommand(new CallRoom.Join(SHOPPER, shopper.ref(), "Chrome", null, 60, 0, testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    manualTime.timePasses(Duration.ofMillis(1));
    assertThat(room.getState().minutesStarted()).as("a restart alone adds none").isEqualTo(4);
  }

  @Test
  void aRoomWhoseNodeDiedIsEndedAtTheGraceAndNotBilledUpToTheMaximumLength() {
    bothJoin();
    advance(Duration.ofSeconds(60));
    advance(Duration.ofSeconds(60));
    assertThat(room.getState().minutesStarted()).isEqualTo(3);
    // The node dies with the call at 2m; nothing touches the room for 50 minutes.
    clock.advance(Duration.ofMinutes(50));
    room.restart();
    manualTime.timePasses(Duration.ofMillis(1));
    CallRoom.State state = room.getState();
    assertThat(state.status()).isEqualTo(CallRoom.Status.ENDED);
    assertThat(state.ended().reason()).isEqualTo("participant-lost");
    assertThat(state.minutesStarted()).as("billed up to 2m + the 30 s grace: minutes 0..2").isEqualTo(3);
    assertThat(state.ended().durationSeconds()).isEqualTo(150);
  }

  @Test
  void aRecoveredRoomNobodyComesBackToEndsAfterTheGrace() {
    bothJoin();
    advance(Duration.ofSeconds(60));
    clock.advance(Duration.ofSeconds(10));
    room.restart(); // back within the grace, but neither browser joins again
    manualTime.timePasses(Duration.ofMillis(1));
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.IN_CALL);
    advance(Duration.ofSeconds(31));
    CallRoom.State state = room.getState();
    assertThat(state.status()).as("the restored participants are not taken for connected").isEqualTo(CallRoom.Status.ENDED);
    assertThat(state.ended().durationSeconds()).as("1m + the 30 s grace").isEqualTo(90);
    assertThat(state.minutesStarted()).isEqualTo(2);
  }

  @Test
  void deviceStatsAndCartAreCappedPerRoomAndIgnoredAfterTheCallEnded() {
    bothJoin();
    for (int i = 0; i < 40; i++) {
      room.runCommand(new CallRoom.ReportDevice(RoomPass.SHOPPER, shopper.ref(), "4g", "Linux"));
      room.runCommand(new CallRoom.ReportStats(RoomPass.SHOPPER, shopper.ref(), "host", "srflx", 20.0));
    }
    List<CallRoom.Event> timeline = room.getState().timeline();
    assertThat(timeline.stream().filter(CallRoom.DeviceReported.class::isInstance)).hasSize(CallRoom.MAX_DEVICE_REPORTS);
    assertThat(timeline.stream().filter(CallRoom.CandidatesSelected.class::isInstance)).hasSize(CallRoom.MAX_STATS_REPORTS);
    room.runCommand(new CallRoom.ShowProduct(RoomPass.AGENT, agent.ref(),
        new CallRoom.Product("TRAIL-38", "Trail runner", null, "89.00 EUR", null)));
    for (int i = 0; i < CallRoom.MAX_ADDED_TO_CART + 10; i++) {
      room.runCommand(new CallRoom.AddToCart(RoomPass.SHOPPER, shopper.ref(), "TRAIL-38"));
    }
    assertThat(room.getState().addedToCart()).hasSize(CallRoom.MAX_ADDED_TO_CART);

    room.runCommand(new CallRoom.HangUp(RoomPass.AGENT, agent.ref()));
    assertThat(room.runCommand(new CallRoom.ReportDevice(RoomPass.AGENT, agent.ref(), "wifi", "Mac")).events())
        .as("after the end").isEmpty();
    assertThat(room.runCommand(new CallRoom.ReportStats(RoomPass.AGENT, agent.ref(), "host", "host", 1.0)).events())
        .isEmpty();
  }

  @Test
  void aParticipantWhoDoesNotComeBackWithinTheGraceEndsTheCall() {
    bothJoin();
    room.runCommand(new CallRoom.Leave(RoomPass.SHOPPER, shopper.ref()));
    advance(Duration.ofSeconds(29));
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.IN_CALL);
    advance(Duration.ofSeconds(2));
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.ENDED);
    assertThat(room.getState().ended().reason()).isEqualTo("participant-lost");
    assertThat(room.getState().ended().durationSeconds()).isEqualTo(31);
    manualTime.timePasses(Duration.ofMillis(1)); // the wrap-up time is 0
    assertThat(toQueue).containsExactly(new TenantQueue.AgentFinishedCall("agent-1", "room-1",
        testKit.system().ignoreRef()));
  }

  @Test
  void comingBackWithinTheGraceKeepsTheCall() {
    bothJoin();
    room.runCommand(new CallRoom.Leave(RoomPass.SHOPPER, shopper.ref()));
    advance(Duration.ofSeconds(20));
    TestProbe<CallRoom.Outgoing> again = testKit.createTestProbe();
    join(SHOPPER, again);
    advance(Duration.ofSeconds(20));
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.IN_CALL);
  }

  @Test
  void theCallEndsAtTheMaximumLength() {
    room.runCommand(new CallRoom.Join(AGENT, agent.ref(), "Chrome", null, 2, 0, testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    room.runCommand(new CallRoom.Join(SHOPPER, shopper.ref(), "Chrome", null, 2, 0, testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    advance(Duration.ofSeconds(60));
    advance(Duration.ofSeconds(60));
    assertThat(room.getState().ended().reason()).isEqualTo("max-length");
    assertThat(room.getState().minutesStarted()).as("minutes 0 and 1, not 2").isEqualTo(2);
  }

  @Test
  void nobodyElseComesAndTheRoomGivesUp() {
    join(AGENT, agent);
    advance(Duration.ofMinutes(2));
    assertThat(room.getState().ended().reason()).isEqualTo("no-show");
    assertThat(room.getState().minutesStarted()).isZero();
    // Changed on purpose (issue 17): a no-show frees the agent at once, no wrap-up and no console step.
    assertThat(toQueue).as("the agent never had a call: freed at once")
        .containsExactly(new TenantQueue.AgentFinishedCall("agent-1", "room-1", testKit.system().ignoreRef()));
  }

  @Test
  void aRoomRecoveredDuringWrapUpStillFreesTheAgentWhenTheWrapUpIsOver() {
    room.runCommand(new CallRoom.Join(AGENT, agent.ref(), "Chrome", null, 60, 30,
        testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    room.runCommand(new CallRoom.Join(SHOPPER, shopper.ref(), "Chrome", null, 60, 30,
        testKit.<CallRoom.JoinReply>createTestProbe().ref()));
    room.runCommand(new CallRoom.HangUp(RoomPass.AGENT, agent.ref()));
    advance(Duration.ofSeconds(10));
    room.getState();
    assertThat(toQueue).as("still wrapping up").isEmpty();
    // The shard hands the room off during the wrap-up: it recovers in ENDED.
    room.restart();
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.ENDED);
    advance(Duration.ofSeconds(21));
    room.getState(); // handled after the timer's message
    assertThat(toQueue).as("the wrap-up timer was armed again for the 20 s left")
        .containsExactly(new TenantQueue.AgentFinishedCall("agent-1", "room-1", testKit.system().ignoreRef()));
  }

  @Test
  void theRoomRefusesARatingOutsideOneToFiveAndAnUnknownOutcome() {
    bothJoin();
    room.runCommand(new CallRoom.HangUp(RoomPass.AGENT, agent.ref()));
    frames(shopper);
    frames(agent);
    room.runCommand(new CallRoom.GiveFeedback(RoomPass.SHOPPER, shopper.ref(), 6, null));
    room.runCommand(new CallRoom.GiveFeedback(RoomPass.SHOPPER, shopper.ref(), 0, null));
    room.runCommand(new CallRoom.WrapUp(RoomPass.AGENT, agent.ref(), "maybe", null));
    assertThat(room.getState().feedback()).isNull();
    assertThat(room.getState().wrapUp()).isNull();
    assertThat(frames(shopper)).hasSize(2).allMatch(frame -> frame.contains("invalid_field") && frame.contains("rating"));
    assertThat(frames(agent)).anyMatch(frame -> frame.contains("invalid_field") && frame.contains("outcome"));
    room.runCommand(new CallRoom.GiveFeedback(RoomPass.SHOPPER, shopper.ref(), 5, null));
    assertThat(room.getState().feedback().rating()).isEqualTo(5);
  }

  @Test
  void rolesProductsFeedbackAndWrapUpFollowTheRules() {
    bothJoin();
    CallRoom.Product product = new CallRoom.Product("SKU-1", "Shoe", null, "10 EUR", null);
    room.runCommand(new CallRoom.ShowProduct(RoomPass.SHOPPER, shopper.ref(), product));
    assertThat(room.getState().products()).isEmpty();
    room.runCommand(new CallRoom.ShowProduct(RoomPass.AGENT, agent.ref(), product));
    room.runCommand(new CallRoom.AddToCart(RoomPass.SHOPPER, shopper.ref(), "SKU-404"));
    room.runCommand(new CallRoom.AddToCart(RoomPass.SHOPPER, shopper.ref(), "SKU-1"));
    assertThat(room.getState().addedToCart()).containsExactly("SKU-1");
    room.runCommand(new CallRoom.GiveFeedback(RoomPass.SHOPPER, shopper.ref(), 5, null));
    assertThat(room.getState().feedback()).as("not before the end").isNull();
    room.runCommand(new CallRoom.HangUp(RoomPass.AGENT, agent.ref()));
    assertThat(room.getState().ended().endedBy()).isEqualTo("agent");
    room.runCommand(new CallRoom.GiveFeedback(RoomPass.SHOPPER, shopper.ref(), 4, null));
    room.runCommand(new CallRoom.GiveFeedback(RoomPass.SHOPPER, shopper.ref(), 1, null));
    assertThat(room.getState().feedback().rating()).as("once").isEqualTo(4);
    room.runCommand(new CallRoom.WrapUp(RoomPass.AGENT, agent.ref(), "sale", null));
    assertThat(room.getState().wrapUp().outcome()).isEqualTo("sale");
    assertThat(frames(shopper)).anyMatch(frame -> frame.contains("not_allowed_for_role"))
        .anyMatch(frame -> frame.contains("unknown_product")).anyMatch(frame -> frame.contains("call_not_ended"))
        .anyMatch(frame -> frame.contains("already_given")).anyMatch(frame -> frame.contains("\"type\":\"product\""));
    assertThat(frames(agent)).anyMatch(frame -> frame.contains("\"type\":\"added-to-cart\""));
  }

  @Test
  void aLowBalanceIsAnnouncedAndAnExhaustedOneEndsTheCallAfterTheGrace() {
    bothJoin();
    Wallet.Subscribe subscribed = (Wallet.Subscribe) toWallet.poll();
    assertThat(subscribed).as("the room follows the wallet while the call runs").isNotNull();
    frames(shopper);
    subscribed.subscriber().tell(update(BalanceLevel.LOW));
    assertThat(shopper.receiveMessage().frame()).contains("\"type\":\"low-balance\"").contains("\"exhausted\":false");
    subscribed.subscriber().tell(update(BalanceLevel.EXHAUSTED));
    assertThat(shopper.receiveMessage().frame()).contains("\"exhausted\":true").contains("\"graceSeconds\":60");
    // Topped up within the grace: the call goes on.
    subscribed.subscriber().tell(update(BalanceLevel.OK));
    shopper.expectNoMessage(Duration.ofMillis(200));
    advance(Duration.ofSeconds(61));
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.IN_CALL);
    subscribed.subscriber().tell(update(BalanceLevel.EXHAUSTED));
    shopper.receiveMessage();
    advance(Duration.ofSeconds(61));
    assertThat(room.getState().ended().reason()).isEqualTo("balance-exhausted");
    assertThat(toWallet).anyMatch(command -> command instanceof Wallet.Unsubscribe);
  }

  private static WalletUpdate update(BalanceLevel level) {
    return new WalletUpdate(testKit.system().ignoreRef(), "tenant-1", new Admission(level != BalanceLevel.EXHAUSTED,
        level == BalanceLevel.EXHAUSTED ? Admission.Refusal.INSUFFICIENT_FUNDS : null, level, null, null));
  }

  @Test
  void aRoomInUseIsNeverPassivatedOnlyAFinishedOne() {
    bothJoin();
    // A new room recovers empty and tells itself it is idle; by the time that is handled the
    // participants may be in. It must stay.
    room.runCommand(new CallRoom.Idle());
    shard.expectNoMessage(Duration.ofMillis(200));
    room.runCommand(new CallRoom.HangUp(RoomPass.AGENT, agent.ref()));
    room.runCommand(new CallRoom.Idle());
    assertThat(shard.receiveMessage()).isInstanceOf(ClusterSharding.Passivate.class);
  }

  @Test
  void aJoinThatReachesARoomAlreadyPassivatingIsSentBackThroughTheShard() {
    // Woken by something else than a join (a look-up of the call): empty, it asks to go a little later.
    manualTime.timePasses(CallRoom.EMPTY_RETIRE_AFTER);
    assertThat(shard.receiveMessage()).isInstanceOf(ClusterSharding.Passivate.class);
    // A join the shard delivered before it took the passivation in: this incarnation keeps nothing of it.
    var result = room.<CallRoom.JoinReply>runCommand(replyTo -> new CallRoom.Join(AGENT, agent.ref(), "Chrome",
        null, 60, 0, replyTo));
    assertThat(result.reply()).isEqualTo(new CallRoom.Retiring());
    assertThat(result.events()).isEmpty();
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.EMPTY);
    room.runCommand(new CallRoom.Idle());
    shard.expectNoMessage(Duration.ofMillis(200)); // asked once
  }

  @Test
  void afterAHandOffTheCallStartsOnlyWhenBothSocketsAreInTheNewRoom() {
    join(AGENT, agent);
    // Handed off while the agent waits: the journal says the agent is connected, its socket has
    // not joined this incarnation yet, and the shopper's join comes first.
    room.restart();
    drain(agent);
    var first = room.<CallRoom.JoinReply>runCommand(replyTo -> new CallRoom.Join(SHOPPER, shopper.ref(), "Firefox",
        null, 60, 0, replyTo));
    assertThat(first.events()).noneMatch(event -> event instanceof CallRoom.CallStarted);
    assertThat(((CallRoom.Admitted) first.reply()).peerConnected()).isFalse();
    assertThat(room.getState().status()).isEqualTo(CallRoom.Status.WAITING);
    // The agent's socket joins again: now both are in, and both hear the call start.
    CallRoom.Admitted again = (CallRoom.Admitted) join(AGENT, agent);
    assertThat(again.peerConnected()).isTrue();
    assertThat(again.status()).isEqualTo(CallRoom.Status.IN_CALL);
    assertThat(agent.receiveMessage().frame()).contains("\"type\":\"call-started\"");
    assertThat(shopper.receiveMessage().frame()).contains("\"type\":\"peer-joined\"");
    assertThat(shopper.receiveMessage().frame()).contains("\"type\":\"call-started\"");
  }

  @Test
  void aTokenForAnotherCallCannotEnterAnOpenedRoom() {
    bothJoin();
    RoomPass stranger = RoomPass.agent("room-1", "tenant-1", "ticket-9", "agent-9", "shopper-s9");
    assertThat(join(stranger, testKit.createTestProbe())).isEqualTo(
        new CallRoom.Refused("not_in_this_room", "This token is for another call"));
  }

  private static void drain(TestProbe<?> probe) {
    while (true) {
      try {
        probe.receiveMessage(Duration.ofMillis(200));
      } catch (AssertionError e) {
        return;
      }
    }
  }

  private static List<String> frames(TestProbe<CallRoom.Outgoing> probe) {
    List<String> frames = new java.util.ArrayList<>();
    while (true) {
      try {
        frames.add(probe.expectMessageClass(CallRoom.Outgoing.class, Duration.ofMillis(200)).frame());
      } catch (AssertionError e) {
        return frames;
      }
    }
  }
}
