package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** What the agent console sends on {@code /ws/agent}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ConsoleRequest.SetPresence.class, name = "presence"),
  @JsonSubTypes.Type(value = ConsoleRequest.Accept.class, name = "accept"),
  @JsonSubTypes.Type(value = ConsoleRequest.Reject.class, name = "reject"),
  @JsonSubTypes.Type(value = ConsoleRequest.FinishCall.class, name = "finish-call")
})
public interface ConsoleRequest {

  /**
   * @param presence {@code available}, {@code away} or {@code offline}
   * @param languages languages the agent speaks (absent: keep the current ones)
   * @param skills skill tags (absent: keep the current ones)
   */
  record SetPresence(String presence, List<String> languages, List<String> skills) implements ConsoleRequest {}

  record Accept(String reservationId) implements ConsoleRequest {}

  record Reject(String reservationId) implements ConsoleRequest {}

  /** The agent's call is over: back to available. */
  record FinishCall() implements ConsoleRequest {}
}
