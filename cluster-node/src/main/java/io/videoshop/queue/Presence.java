package io.videoshop.queue;

/** Whether an agent can be offered a shopper right now. */
public enum Presence {
  /** Ready to be offered a ticket. */
  AVAILABLE,
  /** At the desk but not taking shoppers (also set when an offer was rejected or let expire). */
  AWAY,
  /** Not working. */
  OFFLINE,
  /** In a call; set only by accepting a reservation, ended by finishing the call. */
  BUSY
}
