package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import java.time.Instant;
import java.util.Set;

/**
 * An agent as the queue knows them.
 *
 * @param since when the agent entered the current presence: for an available agent, the start of
 *     their idle time; for a busy one, the start of the call
 * @param languages languages the agent speaks (lower case)
 * @param skills skill tags the agent has (lower case)
 * @param disconnectedAt when the agent's console dropped, null while connected; after the queue's
 *     agent reconnect grace the agent goes offline
 * @param roomId the call room while busy, else null
 */
public record Agent(
    String agentId,
    Presence presence,
    Instant since,
    Set<String> languages,
    Set<String> skills,
    Instant disconnectedAt,
    String roomId)
    implements CborSerializable {

  public Agent {
    languages = TicketDetails.tags(languages);
    skills = TicketDetails.tags(skills);
  }

  public boolean connected() {
    return disconnectedAt == null;
  }

  /** Counts towards the queue's capacity: on duty and reachable. */
  boolean staffed() {
    return connected() && (presence == Presence.AVAILABLE || presence == Presence.BUSY);
  }

  /** A ticket's language (if any) is one the agent speaks, and the agent has every skill it asks for. */
  public boolean suits(TicketDetails ticket) {
    return (ticket.language() == null || languages.contains(ticket.language())) && skills.containsAll(ticket.skills());
  }

  Agent inPresence(Presence next, Set<String> nextLanguages, Set<String> nextSkills, Instant at) {
    // Re-announcing the same presence keeps the idle time: a console reconnecting is not a new start.
    Instant nextSince = next == presence ? since : at;
    String nextRoom = next == Presence.BUSY ? roomId : null;
    // A presence set for the agent (away after a missed offer) does not mean the console is back;
    // an offline agent has no console to wait for.
    Instant nextDisconnectedAt = next == Presence.OFFLINE ? null : disconnectedAt;
    return new Agent(agentId, next, nextSince, nextLanguages, nextSkills, nextDisconnectedAt, nextRoom);
  }

  Agent inCall(String room, Instant at) {
    return new Agent(agentId, Presence.BUSY, at, languages, skills, disconnectedAt, room);
  }

  Agent disconnected(Instant at) {
    return new Agent(agentId, presence, since, languages, skills, at, roomId);
  }

  Agent reconnected() {
    return new Agent(agentId, presence, since, languages, skills, null, roomId);
  }
}
