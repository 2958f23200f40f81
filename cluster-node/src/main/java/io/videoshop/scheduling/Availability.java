package io.videoshop.scheduling;

import io.videoshop.tenant.BusinessHours;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which slots are bookable, and with which agents: pure java.time over the tenant's hours and
 * zone, each agent's working hours, the policy and the bookings already made. Offered start
 * times step by the policy's interval from the start of each of the tenant's windows (placed with
 * the zone's rules of its own day, so DST days have the hours they really have); a slot must fit
 * in the tenant's open time and in the agent's, on none of the agent's days off, clear of the
 * agent's other bookings and their buffers, and under the agent's daily limit.
 */
final class Availability {

  /** A bookable slot and the agents free for it, by id. */
  record Slot(Instant start, Instant end, List<String> agentIds) {}

  /** The verdict on one start time: a refusal, or the agents free then (never empty). */
  record Check(BookingRefusal refusal, List<String> agentIds) {
    static Check refused(BookingRefusal refusal) {
      return new Check(refusal, List.of());
    }
  }

  private final BookingCalendar.TenantHours tenant;
  private final ZoneId zone;
  private final BookingPolicy policy;
  private final Map<String, WorkingHours> agents;
  /** Each agent's occupied time (bookings widened by the buffers), by start. */
  private final Map<String, TreeMap<Instant, Instant>> occupied = new HashMap<>();
  /** Each agent's bookings per tenant day. */
  private final Map<String, Map<LocalDate, Integer>> perDay = new HashMap<>();

  /**
   * @param ignoring a booking to leave out (the one being rescheduled or reassigned), or null
   */
  Availability(BookingCalendar.TenantHours tenant, BookingPolicy policy, Map<String, WorkingHours> agents,
      Collection<BookingCalendar.Booking> bookings, String ignoring) {
    this.tenant = tenant;
    this.zone = tenant.zone();
    this.policy = policy;
    this.agents = new TreeMap<>(agents);
    for (BookingCalendar.Booking booking : bookings) {
      if (!booking.holdsTime() || booking.id().equals(ignoring)) continue;
      occupied.computeIfAbsent(booking.agentId(), id -> new TreeMap<>())
          .put(booking.start().minus(policy.bufferBefore()), booking.end().plus(policy.bufferAfter()));
      perDay.computeIfAbsent(booking.agentId(), id -> new HashMap<>())
          .merge(booking.start().atZone(zone).toLocalDate(), 1, Integer::sum);
    }
  }

  /** The bookable slots starting in {@code [from, to)}, optionally with one agent only. */
  List<Slot> slots(Instant from, Instant to, Instant now, String onlyAgent) {
    Duration length = policy.slotLength();
    Instant earliest = max(from, now.plus(policy.minNotice()));
    Instant latest = min(to, now.plus(policy.horizon()));
    TreeMap<Instant, Slot> slots = new TreeMap<>(); // overlapping windows offer a time once
    if (!earliest.isBefore(latest)) return List.of();
    BusinessHours hours = tenant.businessHours();
    List<BusinessHours.Opening> openings = hours.openings(earliest, latest.plus(length), zone);
    for (BusinessHours.Opening window : hours.windows(earliest.minus(length), latest, zone)) {
      for (Instant start = window.start(); start.isBefore(window.end()); start = start.plus(policy.interval())) {
        if (start.isBefore(earliest) || !start.isBefore(latest)) continue;
        if (slots.containsKey(start)) continue;
        Instant end = start.plus(length);
        if (!fits(openings, start, end)) continue;
        List<String> free = freeAgents(start, end, onlyAgent);
        if (!free.isEmpty()) slots.put(start, new Slot(start, end, free));
      }
    }
    return List.copyOf(slots.values());
  }

  /** Whether {@code start} is a bookable slot now, and with whom. */
  Check check(Instant start, Instant now, String onlyAgent) {
    if (start.isBefore(now)) return Check.refused(BookingRefusal.SLOT_IN_PAST);
    if (start.isBefore(now.plus(policy.minNotice()))) return Check.refused(BookingRefusal.SLOT_TOO_SOON);
    if (!start.isBefore(now.plus(policy.horizon()))) return Check.refused(BookingRefusal.SLOT_TOO_FAR);
    if (!offered(start)) return Check.refused(BookingRefusal.SLOT_NOT_OFFERED);
    if (onlyAgent != null && !agents.getOrDefault(onlyAgent, WorkingHours.notBookable()).takesBookings()) {
      return Check.refused(BookingRefusal.AGENT_NOT_BOOKABLE);
    }
    List<String> free = freeAgents(start, start.plus(policy.slotLength()), onlyAgent);
    return free.isEmpty() ? Check.refused(BookingRefusal.SLOT_TAKEN) : new Check(null, free);
  }

  /** On the grid of one of the tenant's windows, and inside the tenant's open time. */
  boolean offered(Instant start) {
    Instant end = start.plus(policy.slotLength());
    BusinessHours hours = tenant.businessHours();
    if (!fits(hours.openings(start, end, zone), start, end)) return false;
    long step = policy.interval().toSeconds();
    for (BusinessHours.Opening window : hours.windows(start.minus(Duration.ofDays(1)), end, zone)) {
      if (start.isBefore(window.start()) || !start.isBefore(window.end())) continue;
      if (Duration.between(window.start(), start).toSeconds() % step == 0) return true;
    }
    return false;
  }

  private static boolean fits(List<BusinessHours.Opening> openings, Instant start, Instant end) {
    for (BusinessHours.Opening opening : openings) {
      if (opening.contains(start, end)) return true;
    }
    return false;
  }

  /** The agents free for {@code [start, end)}, in id order. */
  List<String> freeAgents(Instant start, Instant end, String onlyAgent) {
    List<String> free = new ArrayList<>();
    for (Map.Entry<String, WorkingHours> entry : agents.entrySet()) {
      if (onlyAgent != null && !onlyAgent.equals(entry.getKey())) continue;
      if (free(entry.getKey(), entry.getValue(), start, end)) free.add(entry.getKey());
    }
    return free;
  }

  private boolean free(String agentId, WorkingHours hours, Instant start, Instant end) {
    if (!hours.takesBookings()) return false;
    if (!withinOwnHours(agentId, hours, start, end)) return false;
    int today = perDay.getOrDefault(agentId, Map.of()).getOrDefault(start.atZone(zone).toLocalDate(), 0);
    if (today >= policy.maxPerAgentPerDay()) return false;
    TreeMap<Instant, Instant> busy = occupied.get(agentId);
    if (busy == null) return true;
    Instant from = start.minus(policy.bufferBefore());
    Instant to = end.plus(policy.bufferAfter());
    // Occupied stretches starting before `to`; the latest few could reach past `from`.
    for (Map.Entry<Instant, Instant> stretch : busy.headMap(to, false).descendingMap().entrySet()) {
      if (stretch.getValue().isAfter(from)) return false;
      if (!stretch.getKey().plus(Duration.ofHours(16)).isAfter(from)) break; // buffers + slot are at most 16 h
    }
    return true;
  }

  /** Each agent's open time (own hours or the tenant's, days off taken out), over a range computed once. */
  private final Map<String, AgentOpenings> agentOpenings = new HashMap<>();

  private record AgentOpenings(Instant from, Instant to, List<BusinessHours.Opening> openings) {}

  /**
   * Inside the agent's own hours (the tenant's when they have none) in their zone, with their
   * days off as closed dated exceptions: a day off removes the windows that start on it, as a
   * holiday does in the tenant's hours (a shift from the evening before still ends past midnight).
   */
  private boolean withinOwnHours(String agentId, WorkingHours hours, Instant start, Instant end) {
    ZoneId agentZone = hours.zoneOr(zone);
    if (hours.hours() == null && hours.daysOff().isEmpty() && agentZone.equals(zone)) return true; // the tenant's, checked
    AgentOpenings cached = agentOpenings.get(agentId);
    if (cached == null || start.isBefore(cached.from()) || end.isAfter(cached.to())) {
      BusinessHours base = hours.hours() != null ? hours.hours() : tenant.businessHours();
      List<BusinessHours.DatedException> exceptions = new ArrayList<>();
      for (String day : hours.daysOff()) exceptions.add(new BusinessHours.DatedException(day, List.of()));
      exceptions.addAll(base.exceptions());
      Instant from = start.minus(Duration.ofDays(2));
      Instant to = end.plus(Duration.ofDays(40));
      cached = new AgentOpenings(from, to, new BusinessHours(base.weekly(), exceptions).openings(from, to, agentZone));
      agentOpenings.put(agentId, cached);
    }
    // The last opening starting at or before `start` is the only one that can hold the slot.
    List<BusinessHours.Opening> openings = cached.openings();
    int low = 0;
    int high = openings.size() - 1;
    int found = -1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      if (!openings.get(middle).start().isAfter(start)) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found >= 0 && openings.get(found).contains(start, end);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
