package io.videoshop.privacy;

import java.util.Set;

/**
 * One shopper of a tenant as the stores know them: every data subject their personal data is
 * encrypted under (a join and a booking each make one), and the ids that point at them.
 */
public record ErasureTarget(String tenantId, Set<String> subjectIds, Set<String> ticketIds, Set<String> bookingIds,
    Set<String> roomIds) {

  public ErasureTarget {
    subjectIds = Set.copyOf(subjectIds);
    ticketIds = Set.copyOf(ticketIds);
    bookingIds = Set.copyOf(bookingIds);
    roomIds = Set.copyOf(roomIds);
  }

  public boolean isEmpty() {
    return subjectIds.isEmpty();
  }

  /** Every id that names this shopper somewhere (audit targets, outbox subjects). */
  public Set<String> allIds() {
    java.util.Set<String> all = new java.util.HashSet<>(subjectIds);
    all.addAll(ticketIds);
    all.addAll(bookingIds);
    all.addAll(roomIds);
    return all;
  }
}
