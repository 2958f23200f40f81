package io.videoshop.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.persistence.DatabasePool;
import io.videoshop.persistence.SchemaMigrations;
import io.videoshop.persistence.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/privacy.md's data map lists every table of the schema, and no table that is gone. */
class DataMapTest {
  private static final Path REPOSITORY = Path.of(System.getProperty("videoshop.repository", "..")).normalize();

  @Test
  void everyTableOfTheSchemaIsInTheDataMap() throws Exception {
    Set<String> documented = documentedTables();
    assertThat(documented).as("the Tables section of docs/privacy.md").hasSizeGreaterThan(10);
    Set<String> tables = new TreeSet<>();
    try (TestDatabase database = TestDatabase.postgres();
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      try (Connection connection = dataSource.getConnection();
          ResultSet rows = connection.getMetaData().getTables(null, connection.getSchema(), "%", new String[] {"TABLE"})) {
        while (rows.next()) tables.add(rows.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
      }
    }
    assertThat(tables).as("the schema has tables").contains("event_journal", "personal_data_keys");
    assertThat(documented).as("tables missing from docs/privacy.md: add a line to its Tables section")
        .containsAll(tables);
    assertThat(tables).as("tables in docs/privacy.md that the schema no longer has").containsAll(documented);
  }

  /** The first column of each row of the table under "## Tables": | `name` | ... */
  static Set<String> documentedTables() throws Exception {
    String doc = Files.readString(REPOSITORY.resolve("docs/privacy.md"));
    int start = doc.indexOf("\n## Tables\n");
    assertThat(start).as("docs/privacy.md has a Tables section").isPositive();
    int end = doc.indexOf("\n## ", start + 1);
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    Set<String> names = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9_]+)` \\|").matcher(section);
    while (row.find()) names.add(row.group(1));
    return names;
  }
}
