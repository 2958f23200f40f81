package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How long a shopper at a given place in the queue will probably wait, as a range of whole
 * minutes. The method (also in docs/queue.md):
 *
 * <ol>
 *   <li>Sample: the handle times of the last {@value #SAMPLE_SIZE} finished calls; before any call
 *       has finished, one call of {@link #DEFAULT_HANDLE_TIME}.
 *   <li>Short and long handle time: the 25th and 75th percentiles of the sample (nearest rank).
 *   <li>Staffed agents {@code c}: connected agents who are available or busy. With none there is
 *       no estimate (nobody is there to serve the queue).
 *   <li>Free agents {@code f}: connected available agents, whether holding an offer or not.
 *   <li>A shopper at position {@code p} waits for {@code k = max(0, p - f)} calls to end; with
 *       {@code c} agents a call ends every {@code handle / c} on average, so the wait is about
 *       {@code k × handle / c}.
 *   <li>Range: low = {@code k × short / c} rounded down to the minute, high = {@code k × long / c}
 *       rounded up, and high at least one minute above low ("0 to 1 minute" when an agent is free).
 * </ol>
 *
 * It ignores language and skill matching and assumes calls end evenly: a rough but stable figure
 * that moves in the right direction as the queue moves.
 */
public final class WaitEstimate {
  public static final int SAMPLE_SIZE = 20;
  public static final Duration DEFAULT_HANDLE_TIME = Duration.ofMinutes(5);

  /** A wait between {@code low} and {@code high}, both whole minutes. */
  public record Range(Duration low, Duration high) implements CborSerializable {}

  private final Duration shortHandle;
  private final Duration longHandle;
  private final int staffed;
  private final int free;

  private WaitEstimate(Duration shortHandle, Duration longHandle, int staffed, int free) {
    this.shortHandle = shortHandle;
    this.longHandle = longHandle;
    this.staffed = staffed;
    this.free = free;
  }

  /**
   * @param recentHandleTimes finished calls' durations, oldest first; only the last
   *     {@value #SAMPLE_SIZE} count
   * @param staffedAgents connected agents available or busy
   * @param freeAgents connected available agents
   */
  public static WaitEstimate of(List<Duration> recentHandleTimes, int staffedAgents, int freeAgents) {
    List<Duration> sample = recentHandleTimes.isEmpty()
        ? List.of(DEFAULT_HANDLE_TIME)
        : recentHandleTimes.subList(Math.max(0, recentHandleTimes.size() - SAMPLE_SIZE), recentHandleTimes.size());
    List<Duration> sorted = sample.stream().sorted().toList();
    return new WaitEstimate(percentile(sorted, 25), percentile(sorted, 75), staffedAgents, freeAgents);
  }

  /** The wait of the shopper at {@code position} (1 = head), empty when no agent is on duty. */
  public Optional<Range> atPosition(int position) {
    if (staffed <= 0) return Optional.empty();
    long callsToWaitFor = Math.max(0, position - free);
    Duration low = floorToMinute(shortHandle.multipliedBy(callsToWaitFor).dividedBy(staffed));
    Duration high = ceilToMinute(longHandle.multipliedBy(callsToWaitFor).dividedBy(staffed));
    if (high.compareTo(low.plusMinutes(1)) < 0) high = low.plusMinutes(1);
    return Optional.of(new Range(low, high));
  }

  /** Nearest-rank percentile of a sorted, non-empty list. */
  private static Duration percentile(List<Duration> sorted, int percent) {
    int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static Duration floorToMinute(Duration duration) {
    return Duration.ofMinutes(duration.toMinutes());
  }

  private static Duration ceilToMinute(Duration duration) {
    Duration floor = floorToMinute(duration);
    return floor.equals(duration) ? floor : floor.plusMinutes(1);
  }
}
