package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.Map;

/** What the server sends the admin dashboard's live figures socket ({@code /ws/live}). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = LiveEvent.Figures.class, name = "figures"),
  @JsonSubTypes.Type(value = ErrorMessage.class, name = "error"),
  @JsonSubTypes.Type(value = Reconnect.class, name = "reconnect")
})
public interface LiveEvent {

  /**
   * The queue now, sent on connect and whenever a figure changes.
   *
   * @param longestWaitingSince when the longest-waiting shopper joined (the page counts the wait up
   *     from it), null with nobody waiting
   * @param agents agents by presence: {@code available}, {@code busy}, {@code away}, {@code offline}
   *     (a console that dropped counts as offline unless the agent is in a call)
   * @param callsInProgress agents in a call or its wrap-up
   * @param today today's figures in the tenant's time zone, from the reports (null until read)
   */
  record Figures(Instant at, boolean open, boolean suspended, int waiting, Instant longestWaitingSince, int offersOpen,
      Map<String, Integer> agents, int callsInProgress, Today today) implements LiveEvent {}

  /**
   * @param serviceLevel answered within {@code serviceLevelSeconds} ÷ (answered + abandoned), null
   *     with neither
   */
  record Today(String date, long queued, long answered, long abandoned, int serviceLevelSeconds, Double serviceLevel) {}
}
