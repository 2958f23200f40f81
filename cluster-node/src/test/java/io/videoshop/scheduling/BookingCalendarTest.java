package io.videoshop.scheduling;

import io.videoshop.persistence.privacy.EncryptedPersonalData;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.EntityTestKits;
import io.videoshop.node.MovableClock;
import io.videoshop.scheduling.BookingCalendar.Command;
import io.videoshop.scheduling.BookingCalendar.Event;
import io.videoshop.scheduling.BookingCalendar.State;
import io.videoshop.scheduling.BookingCalendar.TenantHours;
import io.videoshop.tenant.BusinessHours.Window;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The entity with its events and state serialized (CBOR round trip) and recovered from the journal. */
class BookingCalendarTest {
  static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
  static final TenantHours TENANT = new TenantHours("Europe/Berlin",
      AvailabilityTest.everyDay(new Window("09:00", "17:00"), new Window("22:00", "01:00")));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void booksReschedulesReassignsCancelsAndRecoversTheSameState() {
    MovableClock clock = new MovableClock(Instant.parse("2026-06-01T08:00:00Z"));
    EventSourcedBehaviorTestKit<Command, Event, State> calendar = EventSourcedBehaviorTestKit.create(testKit.system(),
        BookingCalendar.create("tenant-1", clock),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    calendar.<BookingCalendar.ScheduleReply>runCommand(replyTo -> new BookingCalendar.SetPolicy(BookingPolicy.defaults(), replyTo));
    for (String agent : List.of("ann", "bob")) {
      calendar.<BookingCalendar.ScheduleReply>runCommand(replyTo -> new BookingCalendar.SetWorkingHours(agent,
          new WorkingHours(true, null, null, List.of("2026-06-24")), replyTo));
    }
    Instant start = LocalDateTime.parse("2026-06-10T10:00").atZone(ZoneId.of("Europe/Berlin")).toInstant();
    var first = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.Book(TENANT, "b1", start,
        null, AvailabilityTest.details("s1"), replyTo));
    assertThat(first.reply()).isInstanceOf(BookingCalendar.BookingAccepted.class);
    assertThat(((BookingCalendar.BookingAccepted) first.reply()).booking().agentId()).isEqualTo("ann");
    var second = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.Book(TENANT, "b2", start,
        null, AvailabilityTest.details("s2"), replyTo));
    assertThat(((BookingCalendar.BookingAccepted) second.reply()).booking().agentId()).isEqualTo("bob");
    var third = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.Book(TENANT, "b3", start,
        null, AvailabilityTest.details("s3"), replyTo));
    assertThat(third.reply()).isEqualTo(new BookingCalendar.Refused(BookingRefusal.SLOT_TAKEN));
    assertThat(third.hasNoEvents()).isTrue();

    var slots = calendar.<BookingCalendar.Slots>runCommand(replyTo -> new BookingCalendar.GetSlots(TENANT, start,
        start.plusSeconds(3600), null, replyTo));
    assertThat(slots.reply().slots()).extracting(BookingCalendar.Slot::start).containsExactly(start.plusSeconds(1800));

    calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.Reschedule(TENANT, "b1", start.plusSeconds(86_400), true, replyTo));
    var cancelled = calendar.<BookingCalendar.BookingReply>runCommand(replyTo ->
        new BookingCalendar.Cancel("b2", "changed my mind", true, replyTo));
    assertThat(((BookingCalendar.BookingAccepted) cancelled.reply()).booking().sequence()).isEqualTo(1);
    var reassigned = calendar.<BookingCalendar.BookingReply>runCommand(replyTo ->
        new BookingCalendar.Reassign(TENANT, "b1", "bob", replyTo));
    assertThat(((BookingCalendar.BookingAccepted) reassigned.reply()).booking().agentId()).isEqualTo("bob");

    // A correction of the shopper's details: a new event under the same subject; another subject is refused.
    BookingDetails corrected = new BookingDetails("s2", new EncryptedPersonalData("s2", "bmV3IG5hbWU="),
        new EncryptedPersonalData("s2", "bmV3IGVtYWls"), new EncryptedPersonalData("s2", "cGhvbmU="), null, "shoes",
        "Europe/Berlin", true);
    var correction = calendar.<BookingCalendar.BookingReply>runCommand(replyTo ->
        new BookingCalendar.CorrectDetails("b2", corrected, replyTo));
    assertThat(correction.event()).isInstanceOf(BookingCalendar.BookingDetailsCorrected.class);
    assertThat(((BookingCalendar.BookingAccepted) correction.reply()).booking().details()).isEqualTo(corrected);
    var moved = calendar.<BookingCalendar.BookingReply>runCommand(replyTo ->
        new BookingCalendar.CorrectDetails("b1", corrected, replyTo));
    assertThat(moved.reply()).isEqualTo(new BookingCalendar.Refused(BookingRefusal.INVALID_DETAILS));
    assertThat(moved.hasNoEvents()).isTrue();
    assertThat(calendar.<BookingCalendar.BookingReply>runCommand(replyTo ->
        new BookingCalendar.CorrectDetails("nope", corrected, replyTo)).reply())
        .isEqualTo(new BookingCalendar.Refused(BookingRefusal.BOOKING_NOT_FOUND));

    // The arrival and the no-show check, as the queue's projection and the outbox send them.
    var early = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.CheckNoShow("b1", 2, replyTo));
    assertThat(early.reply()).isEqualTo(new BookingCalendar.NotYet(before(calendar, "b1").start().plusSeconds(15 * 60)));
    assertThat(early.hasNoEvents()).isTrue();
    Instant b3Start = start.plusSeconds(1800);
    calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.Book(TENANT, "b3", b3Start, null,
        AvailabilityTest.details("s3"), replyTo));
    clock.set(b3Start.plusSeconds(60));
    var arrival = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.ShopperArrived("b3", replyTo));
    assertThat(arrival.event()).isInstanceOf(BookingCalendar.BookingShopperArrived.class);
    // The shopper leaves the queue without a call before the end: noted; the end's check then marks it missed.
    clock.set(b3Start.plusSeconds(120));
    var left = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.ShopperLeft("b3", replyTo));
    assertThat(left.event()).isInstanceOf(BookingCalendar.BookingShopperLeft.class);
    var endNotYet = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.CheckMissed("b3", 0, replyTo));
    assertThat(endNotYet.reply()).isEqualTo(new BookingCalendar.NotYet(b3Start.plusSeconds(1800)));
    clock.set(before(calendar, "b1").start().plusSeconds(20 * 60));
    var noShow = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.CheckNoShow("b1", 2, replyTo));
    assertThat(((BookingCalendar.BookingAccepted) noShow.reply()).booking().status())
        .isEqualTo(BookingCalendar.Status.NO_SHOW);
    var arrived = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.CheckNoShow("b3", 0, replyTo));
    assertThat(arrived.hasNoEvents()).as("the shopper came").isTrue();
    var missed = calendar.<BookingCalendar.BookingReply>runCommand(replyTo -> new BookingCalendar.CheckMissed("b3", 0, replyTo));
    assertThat(((BookingCalendar.BookingAccepted) missed.reply()).booking().status())
        .isEqualTo(BookingCalendar.Status.MISSED);

    State before = calendar.getState();
    calendar.restart();
    assertThat(calendar.getState()).isEqualTo(before);
    assertThat(before.bookings().get("b1").sequence()).isEqualTo(2);
    assertThat(before.bookings().get("b2").status()).isEqualTo(BookingCalendar.Status.CANCELLED);
    assertThat(before.bookings().get("b2").details()).as("recovered with the correction").isEqualTo(corrected);
    assertThat(before.bookings().get("b3").arrivedAt()).isEqualTo(b3Start.plusSeconds(60));
    assertThat(before.bookings().get("b3").leftAt()).isEqualTo(b3Start.plusSeconds(120));
    assertThat(before.bookings().get("b3").status()).isEqualTo(BookingCalendar.Status.MISSED);
  }

  private static BookingCalendar.Booking before(EventSourcedBehaviorTestKit<Command, Event, State> calendar, String id) {
    return calendar.getState().bookings().get(id);
  }
}
