package io.videoshop.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import javax.sql.DataSource;

/** Scans of the whole database for traces of a person, for the erasure tests. */
final class DataScan {
  private DataScan() {}

  /** Every value of every column of every table (bytes read as Latin-1) where a trace occurs, case-insensitively. */
  static List<String> plainTraces(DataSource dataSource, List<String> traces) throws Exception {
    List<String> found = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rows = connection.getMetaData().getTables(null, connection.getSchema(), "%", new String[] {"TABLE"})) {
        while (rows.next()) tables.add(rows.getString("TABLE_NAME"));
      }
      assertThat(tables).contains("event_journal", "snapshot", "outbox", "bookings", "audit_log", "users");
      for (String table : tables) {
        try (ResultSet rows = connection.createStatement().executeQuery("SELECT * FROM " + table)) {
          ResultSetMetaData meta = rows.getMetaData();
          while (rows.next()) {
            for (int column = 1; column <= meta.getColumnCount(); column++) {
              Object value = rows.getObject(column);
              String text = value instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1)
                  : String.valueOf(value);
              for (String trace : traces) {
                if (text.toLowerCase(Locale.ROOT).contains(trace.toLowerCase(Locale.ROOT))) {
                  found.add(table + "." + meta.getColumnName(column) + ": " + trace);
                }
              }
            }
          }
        }
      }
    }
    return found;
  }

  /** Every outbox payload (mail and push), decrypted under its subject's key, where a trace occurs. */
  static List<String> outboxTraces(DataSource dataSource, PersonalDataVault vault, List<String> traces) throws Exception {
    List<String> found = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        ResultSet rows = connection.createStatement().executeQuery("SELECT id, subject_id, payload FROM outbox")) {
      while (rows.next()) {
        if (rows.getString(3) == null) continue;
        DecryptedPersonalData plain = vault.decrypt(new EncryptedPersonalData(rows.getString(2), rows.getString(3)));
        for (String trace : traces) {
          if (!plain.erased() && plain.value().toLowerCase(Locale.ROOT).contains(trace.toLowerCase(Locale.ROOT))) {
            found.add("outbox " + rows.getLong(1) + " (" + rows.getString(2) + "): " + trace);
          }
        }
      }
    }
    return found;
  }
}
