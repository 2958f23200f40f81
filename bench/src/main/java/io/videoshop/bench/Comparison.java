package io.videoshop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the figures of two live-queue runs side by side with their difference: one node, then
 * several nodes with the sockets spread over all of them ({@code bin/videoshop bench-cluster}).
 * Its arguments are the files {@link QueueBenchmark} wrote with {@code --summary}, the one-node
 * run first.
 */
public final class Comparison {
  private enum Kind { RATE, MILLIS, CORES }

  private record Row(String label, String key, Kind kind) {}

  private static final List<Row> ROWS = List.of(
      new Row("joins/s sustained (closed loop, saturated)", "join.per-second", Kind.RATE),
      new Row("nodes' CPU per join/leave cycle, ms", "join.node-cpu-ms-per-cycle", Kind.RATE),
      new Row("  the same without JIT compiler, GC and VM threads", "join.application-cpu-ms-per-cycle", Kind.RATE),
      new Row("cores in the join window: nodes", "join.cores.nodes", Kind.CORES),
      new Row("                          of which JIT compiler", "join.cores.jit", Kind.CORES),
      new Row("                          of which GC and VM", "join.cores.gc", Kind.CORES),
      new Row("                          PostgreSQL", "join.cores.postgres", Kind.CORES),
      new Row("                          generator", "join.cores.generator", Kind.CORES),
      new Row("                          other processes", "join.cores.others", Kind.CORES),
      new Row("join -> queued while saturated, p50", "join.saturated.p50", Kind.MILLIS),
      new Row("join -> queued while saturated, p99", "join.saturated.p99", Kind.MILLIS),
      new Row("(a) join -> queued, p50", "a.p50", Kind.MILLIS),
      new Row("(a) join -> queued, p99", "a.p99", Kind.MILLIS),
      new Row("(b) accept -> shopper assigned, p50", "b.p50", Kind.MILLIS),
      new Row("(b) accept -> shopper assigned, p99 (routing p99)", "b.p99", Kind.MILLIS),
      new Row("    accept -> agent assigned, p50", "b.agent.p50", Kind.MILLIS),
      new Row("    accept -> agent assigned, p99", "b.agent.p99", Kind.MILLIS),
      new Row("(c) head leaves -> all others updated, p50", "c.p50", Kind.MILLIS),
      new Row("(c) head leaves -> all others updated, p99", "c.p99", Kind.MILLIS),
      new Row("cores in the latency phase: nodes", "waiting.cores.nodes", Kind.CORES),
      new Row("                            of which JIT compiler", "waiting.cores.jit", Kind.CORES),
      new Row("                            of which GC and VM", "waiting.cores.gc", Kind.CORES),
      new Row("                            PostgreSQL", "waiting.cores.postgres", Kind.CORES),
      new Row("                            generator", "waiting.cores.generator", Kind.CORES),
      new Row("                            other processes", "waiting.cores.others", Kind.CORES));

  /** The latencies of the run with several nodes, by node boundaries crossed. */
  private static final List<Row> CROSSINGS = List.of(
      new Row("(a) socket on its queue's node", "a.crossed-0", Kind.MILLIS),
      new Row("(a) socket on another node", "a.crossed-1", Kind.MILLIS),
      new Row("(b) agent, queue and shopper on one node", "b.crossed-0", Kind.MILLIS),
      new Row("(b) one node boundary crossed", "b.crossed-1", Kind.MILLIS),
      new Row("(b) two (agent -> queue -> shopper)", "b.crossed-2", Kind.MILLIS));

  private Comparison() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 3 && args[0].equals("--stack-baseline")) {
      System.out.print(againstBaseline(read(Path.of(args[1])), read(Path.of(args[2]))));
      return;
    }
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: Comparison <one-node figures> <n-node figures>"
          + " | Comparison --stack-baseline <videoshop figures> <baseline figures>");
    }
    System.out.print(compare(read(Path.of(args[0])), read(Path.of(args[1]))));
  }

  /**
   * VideoShop's join phase against {@link StackBaseline}'s under the same load in the same run
   * (issue 17, point 7: aim at least 50 % of the baseline's joins/s at most 2x its CPU per cycle).
   */
  static String againstBaseline(Map<String, String> videoshop, Map<String, String> baseline) {
    double joins = value(videoshop, "join.per-second") / value(baseline, "join.per-second");
    double cpu = value(videoshop, "join.node-cpu-ms-per-cycle") / value(baseline, "join.node-cpu-ms-per-cycle");
    double application = value(videoshop, "join.application-cpu-ms-per-cycle")
        / value(baseline, "join.application-cpu-ms-per-cycle");
    List<String> lines = new ArrayList<>();
    lines.add("==== VideoShop against the stack's own ceiling (StackBaseline), same load, same run ====");
    lines.add(String.format(Locale.ROOT, "%-52s %10s %10s", "figure", "VideoShop", "baseline"));
    for (Row row : ROWS.subList(0, 11)) {
      lines.add(String.format(Locale.ROOT, "%-52s %10s %10s", row.label(), shown(value(videoshop, row.key()),
          row.kind()), shown(value(baseline, row.key()), row.kind())));
    }
    lines.add(String.format(Locale.ROOT, "ratio to stack baseline: joins/s %.0f %%, CPU per cycle %.2f x"
        + " (%.2f x without JIT, GC and VM threads)", 100 * joins, cpu, application));
    // Issue 17, point 6: the read side must not cost PostgreSQL more than the journal's writes; the
    // baseline's PostgreSQL does those writes alone (no tags, no projections, no other tables).
    double pgVideoShop = postgresMillisPerCycle(videoshop);
    double pgBaseline = postgresMillisPerCycle(baseline);
    lines.add(String.format(Locale.ROOT, "PostgreSQL CPU per join/leave cycle: VideoShop %.2f ms, baseline (journal writes"
        + " alone) %.2f ms: %.2f x", pgVideoShop, pgBaseline, pgVideoShop / pgBaseline));
    lines.add(String.format(Locale.ROOT, "  %s joins/s >= 50 %% of the baseline's", joins >= 0.5 ? "[met]   " : "[missed]"));
    lines.add(String.format(Locale.ROOT, "  %s PostgreSQL CPU per cycle <= the journal writes' alone",
        pgVideoShop <= pgBaseline ? "[met]   " : "[missed]"));
    lines.add(String.format(Locale.ROOT, "  %s CPU per join/leave cycle <= 2x the baseline's", cpu <= 2 ? "[met]   "
        : "[missed]"));
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }

  static Map<String, String> read(Path file) throws IOException {
    Map<String, String> figures = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int equals = line.indexOf('=');
      if (equals > 0) figures.put(line.substring(0, equals), line.substring(equals + 1));
    }
    return figures;
  }

  static String compare(Map<String, String> one, Map<String, String> many) {
    String nodes = many.getOrDefault("nodes", "?");
    List<String> lines = new ArrayList<>();
    lines.add("==== The live queue: " + nodes + " nodes versus one, sockets spread over all nodes ====");
    lines.add(String.format(Locale.ROOT, "(join phase: %s sockets; (a): %s joins offered at %s/s)",
        one.getOrDefault("join.sockets", "?"), one.getOrDefault("a.offered", "?"),
        one.getOrDefault("a.offered-per-second", "?")));
    lines.add(String.format(Locale.ROOT, "%-52s %10s %10s   %s", "figure", "1 node", nodes + " nodes",
        nodes + " vs 1"));
    for (Row row : ROWS) {
      double before = value(one, row.key());
      double after = value(many, row.key());
      if (Double.isNaN(before) && Double.isNaN(after)) continue;
      lines.add(String.format(Locale.ROOT, "%-52s %10s %10s   %s", row.label(), shown(before, row.kind()),
          shown(after, row.kind()), difference(before, after, row.kind())));
    }
    if (many.containsKey("b.crossed-0.n")) {
      lines.add("");
      lines.add("With " + nodes + " nodes, by node boundaries crossed on the way (n, p50, p99 in ms):");
      for (Row row : CROSSINGS) {
        lines.add(String.format(Locale.ROOT, "  %-44s n=%5s  p50=%8s  p99=%8s", row.label(),
            many.getOrDefault(row.key() + ".n", "-"), shown(value(many, row.key() + ".p50"), Kind.MILLIS),
            shown(value(many, row.key() + ".p99"), Kind.MILLIS)));
      }
      if (many.containsKey("join.sockets-off-their-queue-node-percent")) {
        lines.add(String.format(Locale.ROOT, "  sockets on another node than their tenant's queue in the join phase:"
            + " %s %%", many.get("join.sockets-off-their-queue-node-percent")));
      }
    }
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }

  /** PostgreSQL's CPU time in the join window per join/leave cycle, in ms. */
  private static double postgresMillisPerCycle(Map<String, String> figures) {
    return 1000 * value(figures, "join.cores.postgres") / value(figures, "join.per-second");
  }

  private static double value(Map<String, String> figures, String key) {
    String value = figures.get(key);
    return value == null ? Double.NaN : Double.parseDouble(value);
  }

  private static String shown(double value, Kind kind) {
    if (Double.isNaN(value)) return "-";
    return switch (kind) {
      case RATE -> value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
      case MILLIS -> String.format(Locale.ROOT, "%.1f", value);
      case CORES -> String.format(Locale.ROOT, "%.2f", value);
    };
  }

  /** Rates as a percentage, latencies in milliseconds and as a factor, cores as a difference. */
  private static String difference(double before, double after, Kind kind) {
    if (Double.isNaN(before) || Double.isNaN(after)) return "";
    return switch (kind) {
      case RATE -> before == 0 ? "" : String.format(Locale.ROOT, "%+.0f %%", 100 * (after - before) / before);
      case MILLIS -> String.format(Locale.ROOT, "%+.1f ms%s", after - before,
          before > 0 ? String.format(Locale.ROOT, " (x%.1f)", after / before) : "");
      case CORES -> String.format(Locale.ROOT, "%+.2f", after - before);
    };
  }
}
