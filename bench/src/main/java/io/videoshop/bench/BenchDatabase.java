package io.videoshop.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's own JDBC work on the node's database (and invitation tokens from the nodes' mail
 * folder: the benchmark runs on the node's machine), journal counts and row sizes, and the database's
 * raw ceiling for rows shaped like journal rows.
 */
final class BenchDatabase {
  private final String url;
  private final String user;
  private final String password;

  BenchDatabase(String url, String user, String password) {
    this.url = url.contains("reWriteBatchedInserts") ? url
        : url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    this.user = user;
    this.password = password;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /**
   * The newest token with this prefix mailed to this address: the nodes write their mail as .eml
   * files (videoshop.notifications.mail.transport = file) into the folder {@code -Dbench.mail-dir}
   * names; a mail may still be on its way through the outbox, so this waits up to 30 s.
   */
  String mailedToken(String recipient, String prefix) throws SQLException {
    java.nio.file.Path folder = java.nio.file.Path.of(System.getProperty("bench.mail-dir", "data/mail"));
    Pattern token = Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_-]{20,}");
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (var files = java.nio.file.Files.list(folder)) {
        String newest = null;
        long newestAt = Long.MIN_VALUE;
        for (java.nio.file.Path file : (Iterable<java.nio.file.Path>) files::iterator) {
          if (!file.toString().endsWith(".eml")) continue;
          // Quoted-printable: undo soft line breaks and the encoded "=" before matching.
          String mail = java.nio.file.Files.readString(file).replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
          if (!mail.toLowerCase(java.util.Locale.ROOT).contains("to: " + recipient.toLowerCase(java.util.Locale.ROOT))) continue;
          Matcher matcher = token.matcher(mail);
          long at = java.nio.file.Files.getLastModifiedTime(file).toMillis();
          if (matcher.find() && at >= newestAt) {
            newest = matcher.group();
            newestAt = at;
          }
        }
        if (newest != null) return newest;
      } catch (java.io.IOException e) {
        // the folder appears with the first mail
      }
      if (System.nanoTime() > deadline) throw new IllegalStateException("no " + prefix + " mail to " + recipient + " in " + folder);
      try {
        Thread.sleep(100); // polling a folder another process writes
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Rows in the event journal so far (its ordering only grows). */
  long journalRows() throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(ordering), 0) FROM event_journal")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** The average sizes of the queue's journal rows, in bytes. */
  record RowShape(long rows, int persistenceId, int writer, int manifest, int payload, int wholeRow) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d bytes on average (persistence_id %d, writer %d, manifest %d, payload %d;"
          + " averaged over %d rows)", wholeRow, persistenceId, writer, manifest, payload, rows);
    }
  }

  RowShape queueJournalRowShape() throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*), AVG(OCTET_LENGTH(persistence_id)),"
            + " AVG(OCTET_LENGTH(writer)), AVG(OCTET_LENGTH(event_ser_manifest)), AVG(OCTET_LENGTH(event_payload)),"
            + " AVG(PG_COLUMN_SIZE(j.*)) FROM event_journal j WHERE persistence_id LIKE 'TenantQueue|%'")) {
      rows.next();
      return new RowShape(rows.getLong(1), rows.getInt(2), rows.getInt(3), rows.getInt(4), rows.getInt(5),
          rows.getInt(6));
    }
  }

  /** Rows per second one configuration reached. */
  record Ceiling(int writers, int batchSize, long rows, double seconds) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  /**
   * Batched inserts of journal-shaped rows into a scratch copy of the journal table (same columns,
   * primary key and ordering index), {@code writers} connections at once, each committing a batch
   * of {@code batchSize} rows per transaction, for {@code millis}.
   */
  Ceiling rawInsertCeiling(RowShape shape, int writers, int batchSize, long millis) throws Exception {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS bench_raw_journal");
      statement.execute("CREATE TABLE bench_raw_journal (ordering BIGSERIAL, persistence_id VARCHAR(255) NOT NULL,"
          + " sequence_number BIGINT NOT NULL, deleted BOOLEAN DEFAULT FALSE NOT NULL, writer VARCHAR(255) NOT NULL,"
          + " write_timestamp BIGINT, adapter_manifest VARCHAR(255), event_ser_id INTEGER NOT NULL,"
          + " event_ser_manifest VARCHAR(255) NOT NULL, event_payload BYTEA NOT NULL, meta_ser_id INTEGER,"
          + " meta_ser_manifest VARCHAR(255), meta_payload BYTEA, PRIMARY KEY(persistence_id, sequence_number))");
      statement.execute("CREATE UNIQUE INDEX bench_raw_journal_ordering_idx ON bench_raw_journal(ordering)");
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      long deadline = System.nanoTime() + millis * 1_000_000L;
      long started = System.nanoTime();
      List<Future<Long>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        results.add(pool.submit((Callable<Long>) () -> insertUntil(shape, writer, batchSize, deadline)));
      }
      long rows = 0;
      for (Future<Long> result : results) rows += result.get();
      return new Ceiling(writers, batchSize, rows, (System.nanoTime() - started) / 1e9);
    } finally {
      pool.shutdownNow();
      try (Connection connection = connect(); Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS bench_raw_journal");
      }
    }
  }

  private long insertUntil(RowShape shape, int writer, int batchSize, long deadline) throws SQLException {
    Random random = new Random(writer);
    // 25 entities per writer, like 100 tenants' queues spread over the journal's writers.
    String[] ids = new String[25];
    long[] sequence = new long[ids.length];
    for (int i = 0; i < ids.length; i++) ids[i] = padded("TenantQueue|" + UUID.randomUUID(), shape.persistenceId());
    String writerId = padded(UUID.randomUUID().toString(), shape.writer());
    String manifest = padded("io.videoshop.queue.TenantQueue$TicketJoined", shape.manifest());
    long rows = 0;
    try (Connection connection = connect();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO bench_raw_journal (persistence_id,"
            + " sequence_number, deleted, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest,"
            + " event_payload) VALUES (?, ?, FALSE, ?, ?, '', 33, ?, ?)")) {
      connection.setAutoCommit(false);
      while (System.nanoTime() < deadline) {
        for (int i = 0; i < batchSize; i++) {
          int entity = random.nextInt(ids.length);
          byte[] payload = new byte[shape.payload()];
          random.nextBytes(payload);
          insert.setString(1, ids[entity]);
          insert.setLong(2, ++sequence[entity]);
          insert.setString(3, writerId);
          insert.setLong(4, System.currentTimeMillis());
          insert.setString(5, manifest);
          insert.setBytes(6, payload);
          insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
        rows += batchSize;
      }
    }
    return rows;
  }

  private static String padded(String value, int length) {
    if (value.getBytes(StandardCharsets.UTF_8).length >= length) return value.substring(0, Math.max(1, length));
    return value + "x".repeat(length - value.length());
  }
}
