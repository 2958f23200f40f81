package io.videoshop.reporting;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mergeable histogram of durations in whole seconds, small enough to store per tenant, day and
 * agent and to merge across a year of days. Exact below ten minutes (one bucket per second, so
 * "answered within T" is exact for any T up to 600 s); above, buckets 5 % wide, so a percentile
 * there is at most 5 % low. Immutable; stored as base64 text.
 */
public final class DurationSketch {
  static final int EXACT_SECONDS = 600;
  private static final double GROWTH = 1.05;

  private final TreeMap<Integer, Long> counts;

  private DurationSketch(TreeMap<Integer, Long> counts) {
    this.counts = counts;
  }

  public static DurationSketch empty() {
    return new DurationSketch(new TreeMap<>());
  }

  public static DurationSketch of(long... seconds) {
    DurationSketch sketch = empty();
    for (long s : seconds) sketch = sketch.with(s);
    return sketch;
  }

  public DurationSketch with(long seconds) {
    TreeMap<Integer, Long> next = new TreeMap<>(counts);
    next.merge(bucket(Math.max(0, seconds)), 1L, Long::sum);
    return new DurationSketch(next);
  }

  public DurationSketch merge(DurationSketch other) {
    if (other.counts.isEmpty()) return this;
    TreeMap<Integer, Long> next = new TreeMap<>(counts);
    other.counts.forEach((bucket, count) -> next.merge(bucket, count, Long::sum));
    return new DurationSketch(next);
  }

  /**
   * A running sum of many sketches (a year of days), merged in place into an array indexed by
   * bucket: adding a sketch costs its own size, not the size of the sum so far, and boxes
   * nothing. Encoded sketches are kept as text until the sum is read, and a sum added to another
   * hands its text on, so a report row's sketch is decoded once, straight into the total it
   * ends in, not first into a row's array of its own.
   */
  static final class Sum {
    private long[] counts;
    private List<String> encoded;

    private void count(int bucket, long count) {
      if (counts == null) {
        counts = new long[Math.max(64, bucket + 1)];
      } else if (bucket >= counts.length) {
        counts = java.util.Arrays.copyOf(counts, Math.max(counts.length * 2, bucket + 1));
      }
      counts[bucket] += count;
    }

    Sum add(DurationSketch sketch) {
      sketch.counts.forEach(this::count);
      return this;
    }

    /** Adds an encoded sketch (or several joined by commas, see {@link #decode}), decoded when the sum is read. */
    Sum addEncoded(String text) {
      if (text == null || text.isEmpty()) return this;
      if (encoded == null) encoded = new ArrayList<>(2);
      encoded.add(text);
      return this;
    }

    Sum add(Sum other) {
      if (other.encoded != null) other.encoded.forEach(this::addEncoded);
      if (other.counts == null) return this;
      for (int bucket = other.counts.length - 1; bucket >= 0; bucket--) {
        if (other.counts[bucket] != 0) count(bucket, other.counts[bucket]);
      }
      return this;
    }

    private void decodeAll() {
      if (encoded == null) return;
      for (String text : encoded) {
        for (String part : text.split(",")) {
          if (part.isEmpty()) continue;
          byte[] bytes = Base64.getDecoder().decode(part);
          int[] position = {0};
          int bucket = 0;
          while (position[0] < bytes.length) {
            bucket += (int) readVarint(bytes, position);
            count(bucket, readVarint(bytes, position));
          }
        }
      }
      encoded = null;
    }

    DurationSketch sketch() {
      decodeAll();
      TreeMap<Integer, Long> out = new TreeMap<>();
      if (counts != null) {
        for (int bucket = 0; bucket < counts.length; bucket++) {
          if (counts[bucket] != 0) out.put(bucket, counts[bucket]);
        }
      }
      return new DurationSketch(out);
    }
  }

  public long count() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** How many durations are at most {@code seconds} (exact up to {@value #EXACT_SECONDS} s). */
  public long countAtMost(long seconds) {
    return counts.headMap(bucket(seconds), true).values().stream().mapToLong(Long::longValue).sum();
  }

  /** The nearest-rank percentile ({@code 0 < q <= 1}) in seconds, or null when empty. */
  public Long percentile(double q) {
    long total = count();
    if (total == 0) return null;
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (Map.Entry<Integer, Long> entry : counts.entrySet()) {
      seen += entry.getValue();
      if (seen >= rank) return lowerBound(entry.getKey());
    }
    return lowerBound(counts.lastKey());
  }

  static int bucket(long seconds) {
    if (seconds < EXACT_SECONDS) return (int) seconds;
    return EXACT_SECONDS + (int) Math.floor(Math.log((double) seconds / EXACT_SECONDS) / Math.log(GROWTH));
  }

  static long lowerBound(int bucket) {
    if (bucket < EXACT_SECONDS) return bucket;
    return (long) Math.ceil(EXACT_SECONDS * Math.pow(GROWTH, bucket - EXACT_SECONDS) - 1e-9);
  }

  /** Sparse varints (bucket delta, count), base64; null when empty. */
  public String encode() {
    if (counts.isEmpty()) return null;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int previous = 0;
    for (Map.Entry<Integer, Long> entry : counts.entrySet()) {
      writeVarint(out, entry.getKey() - previous);
      writeVarint(out, entry.getValue());
      previous = entry.getKey();
    }
    return Base64.getEncoder().withoutPadding().encodeToString(out.toByteArray());
  }

  /**
   * The sketch {@link #encode} wrote. Several encoded sketches joined by commas read as their
   * merge: that is how the schema migration rolled existing days up into months in SQL
   * ({@code V97__report_month_backfill.sql}); the next write of such a row stores it merged.
   */
  public static DurationSketch decode(String text) {
    if (text == null || text.isEmpty()) return empty();
    return new Sum().addEncoded(text).sketch();
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static long readVarint(byte[] bytes, int[] position) {
    long value = 0;
    int shift = 0;
    while (true) {
      byte b = bytes[position[0]++];
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return value;
      shift += 7;
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DurationSketch sketch && sketch.counts.equals(counts);
  }

  @Override
  public int hashCode() {
    return counts.hashCode();
  }

  @Override
  public String toString() {
    return "DurationSketch" + counts;
  }
}
