package io.videoshop.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class ReportCsvTest {

  @Test
  void cellsASpreadsheetWouldRunAsFormulasAreEscaped() {
    assertThat(ReportCsv.cell("=HYPERLINK(\"http://x\")")).isEqualTo("'=HYPERLINK(\"http://x\")");
    assertThat(ReportCsv.cell("+1")).isEqualTo("'+1");
    assertThat(ReportCsv.cell("-2")).isEqualTo("'-2");
    assertThat(ReportCsv.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
    assertThat(ReportCsv.cell("\tx")).isEqualTo("'\tx");
    assertThat(ReportCsv.cell("sale")).isEqualTo("sale");
  }

  @Test
  void theCallsExportEscapesTextAndKeepsNumbers() throws Exception {
    String csv = ReportCsv.calls(List.of(new ReportStore.CallRow("room-1", "agent-1", "ended",
        Instant.parse("2026-11-30T10:00:00Z"), null, null, 120L, "hang-up", 2, 3, 1, 5, "=cmd|' /C calc'!A0")));
    List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
        .parse(new StringReader(csv)).getRecords();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).get("outcome")).isEqualTo("'=cmd|' /C calc'!A0");
    assertThat(records.get(0).get("minutes")).isEqualTo("2");
    assertThat(records.get(0).get("createdAt")).isEqualTo("2026-11-30T10:00:00Z");
  }
}
