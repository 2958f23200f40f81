package io.videoshop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the benchmark reads about the node JVMs and the other processes on the machine. */
final class Processes {
  /** Linux's USER_HZ: /proc reports CPU time in these ticks. */
  private static final double TICKS_PER_SECOND = 100.0;
  /** G1 and Parallel: "total 1048576K, used 51234K"; ZGC: "used 64M, capacity 1024M". */
  private static final Pattern HEAP_USED = Pattern.compile("(?:total \\d+K, )?used (\\d+)([KMG])");

  private Processes() {}

  /** Heap in use right after a full GC the node ran on request ({@code jcmd GC.run}), in bytes. */
  static long heapAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher matcher = HEAP_USED.matcher(info);
    if (!matcher.find()) throw new IllegalStateException("unexpected GC.heap_info output: " + info);
    int shift = switch (matcher.group(2)) {
      case "K" -> 10;
      case "M" -> 20;
      default -> 30;
    };
    return Long.parseLong(matcher.group(1)) << shift;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + output);
    }
    return output;
  }

  /**
   * CPU seconds (user + system) used by the node JVMs (and, of those, by their JIT compiler
   * threads and their GC and VM threads), PostgreSQL, this generator and the whole machine up to
   * now: the difference of two tells who used the cores in between.
   */
  record Cpu(double[] nodes, double jit, double gc, double postgres, double generator, double machine) {
    /** Thread names (as /proc shows them, cut to 15 characters) of HotSpot's compilers and of G1 and the VM thread. */
    private static final List<String> JIT_THREADS = List.of("C1 CompilerThre", "C2 CompilerThre");
    private static final List<String> GC_THREADS = List.of("GC Thread", "G1 ", "VM Thread");

    static Cpu now(List<Long> nodePids) {
      return new Cpu(nodePids.stream().mapToDouble(pid -> cpuSeconds(pid, false)).toArray(),
          nodePids.stream().mapToDouble(pid -> threadCpuSeconds(pid, JIT_THREADS)).sum(),
          nodePids.stream().mapToDouble(pid -> threadCpuSeconds(pid, GC_THREADS)).sum(),
          cpuSecondsOf("postgres"), cpuSeconds(self(), false), machineSeconds());
    }

    double node() {
      return Arrays.stream(nodes).sum();
    }

    /** CPU milliseconds all nodes together used per unit of work between two snapshots. */
    double nodeMillisPer(Cpu before, long work) {
      return work == 0 ? Double.NaN : (node() - before.node()) * 1000 / work;
    }

    /** The same without the JIT compiler threads and the GC and VM threads: the application's own work. */
    double applicationMillisPer(Cpu before, long work) {
      double jvm = (jit - before.jit) + (gc - before.gc);
      return work == 0 ? Double.NaN : ((node() - before.node()) - jvm) * 1000 / work;
    }

    /** Cores used in between, on average. */
    Cores since(Cpu before, double seconds) {
      double[] perNode = new double[nodes.length];
      for (int i = 0; i < nodes.length; i++) perNode[i] = (nodes[i] - before.nodes[i]) / seconds;
      double node = (node() - before.node()) / seconds;
      double postgres = (this.postgres - before.postgres) / seconds;
      double generator = (this.generator - before.generator) / seconds;
      double machine = (this.machine - before.machine) / seconds;
      return new Cores(perNode, node, (jit - before.jit) / seconds, (gc - before.gc) / seconds, postgres, generator,
          Math.max(0, machine - node - postgres - generator), machine);
    }
  }

  /**
   * Cores used on average over a stretch of time: by the nodes (each and together; of those, by
   * JIT compilation and by GC and VM threads) and the others.
   */
  record Cores(double[] perNode, double nodes, double jit, double gc, double postgres, double generator, double others,
      double machine) {
    @Override
    public String toString() {
      String node = perNode.length == 1 ? String.format(Locale.ROOT, "node %.2f", nodes)
          : String.format(Locale.ROOT, "nodes %.2f (%s)", nodes, Arrays.stream(perNode)
              .mapToObj(cores -> String.format(Locale.ROOT, "%.2f", cores)).collect(Collectors.joining(" + ")));
      return String.format(Locale.ROOT, "%s [of which JIT compiler threads %.2f, GC and VM threads %.2f], PostgreSQL"
          + " %.2f, generator %.2f, other processes %.2f (machine busy %.2f of %d cores)", node, jit, gc, postgres,
          generator, others, machine, Runtime.getRuntime().availableProcessors());
    }
  }

  /**
   * CPU seconds of a process's live threads whose names start with one of the prefixes (threads
   * that have exited are not counted).
   */
  static double threadCpuSeconds(long pid, List<String> prefixes) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.filter(task -> {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          return prefixes.stream().anyMatch(name::startsWith);
        } catch (IOException e) {
          return false;
        }
      }).mapToDouble(task -> statTicks(task.resolve("stat"), false) / TICKS_PER_SECOND).sum();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU seconds of a process; with {@code children}, also of its children that have exited. */
  static double cpuSeconds(long pid, boolean children) {
    return statTicks(Path.of("/proc", Long.toString(pid), "stat"), children) / TICKS_PER_SECOND;
  }

  /** User + system ticks from a /proc {@code stat} file (a process's or a thread's); 0 if it is gone. */
  private static long statTicks(Path stat, boolean children) {
    try {
      String line = Files.readString(stat);
      // The command name may hold spaces: fields are counted after its closing parenthesis.
      String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      if (children) ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      return ticks;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * CPU seconds of every process with this command name, exited children included (PostgreSQL's
   * backends are children of its postmaster, which counts them once they exit).
   */
  static double cpuSecondsOf(String command) {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries.filter(path -> path.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(path -> {
            try {
              return Files.readString(path.resolve("comm")).strip().equals(command);
            } catch (IOException e) {
              return false;
            }
          })
          .mapToDouble(path -> cpuSeconds(Long.parseLong(path.getFileName().toString()), true))
          .sum();
    } catch (IOException e) {
      return 0;
    }
  }

  /** CPU seconds the whole machine has been busy (every core, idle and I/O wait left out). */
  static double machineSeconds() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) busy += Long.parseLong(fields[i]); // user nice system irq softirq steal
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static long self() {
    return ProcessHandle.current().pid();
  }
}
