package io.videoshop.domain;

import io.videoshop.persistence.CborSerializable;

/**
 * What a room token admits: one participant, in one role, to one call room, with what the room
 * needs to know when it is first opened.
 *
 * @param participantId the ticket id for the shopper, the user id for the agent
 * @param shopperSubject the data subject under whose key the shopper's personal data is encrypted
 */
public record RoomPass(String roomId, String role, String participantId, String tenantId, String ticketId,
    String agentId, String shopperSubject) implements CborSerializable {

  public static final String SHOPPER = "shopper";
  public static final String AGENT = "agent";

  public boolean isAgent() {
    return AGENT.equals(role);
  }

  public static RoomPass shopper(String roomId, String tenantId, String ticketId, String agentId, String subject) {
    return new RoomPass(roomId, SHOPPER, ticketId, tenantId, ticketId, agentId, subject);
  }

  public static RoomPass agent(String roomId, String tenantId, String ticketId, String agentId, String subject) {
    return new RoomPass(roomId, AGENT, agentId, tenantId, ticketId, agentId, subject);
  }
}
