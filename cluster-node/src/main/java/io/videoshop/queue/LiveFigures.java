package io.videoshop.queue;

import io.videoshop.protocol.LiveEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The live dashboard's figures of a queue view: counts only, nothing about who waits. */
final class LiveFigures {
  private LiveFigures() {}

  static LiveEvent.Figures of(QueueView view, LiveEvent.Today today) {
    Map<String, Integer> agents = new LinkedHashMap<>();
    for (Presence presence : Presence.values()) agents.put(presence.name().toLowerCase(Locale.ROOT), 0);
    int inCalls = 0;
    for (Agent agent : view.agents()) {
      Presence shown = agent.connected() || agent.presence() == Presence.BUSY ? agent.presence() : Presence.OFFLINE;
      agents.merge(shown.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
      if (agent.presence() == Presence.BUSY) inCalls++;
    }
    Instant longest = view.tickets().stream().map(QueueView.WaitingTicket::joinedAt).min(Instant::compareTo)
        .orElse(null);
    return new LiveEvent.Figures(view.at(), view.open(), view.suspended(), view.tickets().size(), longest,
        view.reservations().size(), agents, inCalls, today);
  }

  /** The same figures apart from the moment they were taken: nothing to send. */
  static boolean sameFigures(LiveEvent.Figures a, LiveEvent.Figures b) {
    return a != null && b != null && a.open() == b.open() && a.suspended() == b.suspended()
        && a.waiting() == b.waiting() && java.util.Objects.equals(a.longestWaitingSince(), b.longestWaitingSince())
        && a.offersOpen() == b.offersOpen() && a.agents().equals(b.agents()) && a.callsInProgress() == b.callsInProgress()
        && java.util.Objects.equals(a.today(), b.today());
  }
}
