package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/** What the server sends the widget. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = WidgetEvent.Queued.class, name = "queued"),
  @JsonSubTypes.Type(value = WidgetEvent.Position.class, name = "position"),
  @JsonSubTypes.Type(value = WidgetEvent.Assigned.class, name = "assigned"),
  @JsonSubTypes.Type(value = WidgetEvent.Left.class, name = "left"),
  @JsonSubTypes.Type(value = WidgetEvent.Refused.class, name = "refused"),
  @JsonSubTypes.Type(value = ErrorMessage.class, name = "error"),
  @JsonSubTypes.Type(value = Reconnect.class, name = "reconnect"),
  @JsonSubTypes.Type(value = WidgetEvent.ConsentWithdrawn.class, name = "consent-withdrawn")
})
public interface WidgetEvent {

  /**
   * The shopper has a place (after {@code join} or {@code resume}).
   *
   * @param resumeToken keep it: with the ticket id it takes the place back after a dropped
   *     connection (only sent after join)
   * @param estimatedWait null while no agent is on duty
   * @param consentToken withdraws what the join agreed to ({@code withdraw-consent}; only sent after join)
   */
  record Queued(String ticketId, String resumeToken, int position, WaitRange estimatedWait, String consentToken)
      implements WidgetEvent {
    public Queued(String ticketId, String resumeToken, int position, WaitRange estimatedWait) {
      this(ticketId, resumeToken, position, estimatedWait, null);
    }
  }

  /** A withdrawal took effect: what the consent still covers, and what was withdrawn. */
  record ConsentWithdrawn(List<String> purposes, List<String> withdrawn) implements WidgetEvent {}

  /** The place or the estimate changed. */
  record Position(int position, WaitRange estimatedWait) implements WidgetEvent {}

  /** An agent accepted: the call room to join, with the token that admits this shopper to it. */
  record Assigned(String roomId, String roomToken) implements WidgetEvent {}

  /** The ticket left the queue: {@code left} (the shopper asked), {@code abandoned} (grace over) or {@code timed_out} (maximum wait). */
  record Left(String ticketId, String reason) implements WidgetEvent {}

  /**
   * A join or resume the queue refused: {@code queue_full}, {@code queue_closed} (with
   * {@code nextOpeningAt}), {@code tenant_suspended}, {@code unknown_ticket},
   * {@code invalid_resume_token}.
   */
  record Refused(String code, String message, Instant nextOpeningAt) implements WidgetEvent {}
}
