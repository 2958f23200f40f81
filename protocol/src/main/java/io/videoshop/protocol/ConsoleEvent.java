package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/** What the server sends the agent console. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = ConsoleEvent.QueueState.class, name = "queue"),
  @JsonSubTypes.Type(value = ConsoleEvent.Offer.class, name = "reservation"),
  @JsonSubTypes.Type(value = ConsoleEvent.OfferEnded.class, name = "reservation-ended"),
  @JsonSubTypes.Type(value = ConsoleEvent.Assigned.class, name = "assigned"),
  @JsonSubTypes.Type(value = ConsoleEvent.Done.class, name = "ok"),
  @JsonSubTypes.Type(value = ConsoleEvent.AppointmentSoon.class, name = "appointment-soon"),
  @JsonSubTypes.Type(value = ErrorMessage.class, name = "error"),
  @JsonSubTypes.Type(value = Reconnect.class, name = "reconnect")
})
public interface ConsoleEvent {

  /** The whole live queue: sent on connect and after every change. */
  record QueueState(Instant at, boolean open, Instant nextOpeningAt, List<WaitingShopper> tickets,
      List<AgentState> agents) implements ConsoleEvent {}

  /**
   * A waiting shopper as agents see it.
   *
   * @param waitingSeconds since the shopper joined
   * @param reservedFor the agent the ticket is offered to, if any
   */
  record WaitingShopper(String ticketId, int position, String name, String language, List<String> skills,
      String productInterest, String productUrl, long waitingSeconds, boolean connected, String reservedFor) {}

  /** @param presence {@code available}, {@code away}, {@code offline} or {@code busy} */
  record AgentState(String agentId, String presence, Instant since, boolean connected) {}

  /** A shopper offered to this agent: accept before {@code expiresAt} or it goes to the next agent. */
  record Offer(String reservationId, WaitingShopper ticket, Instant expiresAt) implements ConsoleEvent {}

  /** An offer to this agent ended without a call: {@code rejected}, {@code expired}, {@code ticket_left}, ... */
  record OfferEnded(String reservationId, String reason) implements ConsoleEvent {}

  /** This agent accepted: the call room to join, with the token that admits this agent to it. */
  record Assigned(String reservationId, String ticketId, String roomId, String roomToken) implements ConsoleEvent {}

  /**
   * One of this agent's booked appointments starts soon (the booking policy's
   * {@code agentReminderMinutes} before {@code startsAt}); the console shows the booking from its
   * appointments list.
   */
  record AppointmentSoon(String bookingId, Instant startsAt) implements ConsoleEvent {}

  /** A request was carried out (presence set, call finished). */
  record Done(String request) implements ConsoleEvent {}
}
