package io.videoshop.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** Latencies in nanoseconds, summarised as count, p50, p90, p99 and max in milliseconds. */
final class Samples {
  private final String name;
  private long[] values = new long[1024];
  private int count;

  Samples(String name) {
    this.name = name;
  }

  synchronized void add(long nanos) {
    if (count == values.length) values = Arrays.copyOf(values, count * 2);
    values[count++] = nanos;
  }

  synchronized int count() {
    return count;
  }

  /** Nearest-rank percentile in milliseconds; NaN without samples. */
  synchronized double percentileMillis(double percentile) {
    if (count == 0) return Double.NaN;
    long[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100.0 * count);
    return sorted[Math.max(0, Math.min(count - 1, rank - 1))] / 1e6;
  }

  String name() {
    return name;
  }

  /** Count and percentiles as {@code key.n}, {@code key.p50} … {@code key.max} (milliseconds). */
  void putInto(Map<String, String> figures, String key) {
    figures.put(key + ".n", Integer.toString(count()));
    for (int percentile : new int[] {50, 90, 99, 100}) {
      figures.put(key + (percentile == 100 ? ".max" : ".p" + percentile),
          String.format(Locale.ROOT, "%.2f", percentileMillis(percentile)));
    }
  }

  String summary() {
    return String.format(Locale.ROOT, "%-44s n=%5d  p50=%7.1f  p90=%7.1f  p99=%7.1f  max=%7.1f ms", name, count(),
        percentileMillis(50), percentileMillis(90), percentileMillis(99), percentileMillis(100));
  }
}
