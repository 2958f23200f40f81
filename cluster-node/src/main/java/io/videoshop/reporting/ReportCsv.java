package io.videoshop.reporting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The reports as CSV: one column per figure, named by its path in the JSON (queue.serviceLevel),
 * so a column means exactly what the API's field means. A text cell that a spreadsheet would read
 * as a formula (= + - @, tab, carriage return first) gets a leading apostrophe.
 */
public final class ReportCsv {
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private ReportCsv() {}

  public static String summary(Reports.Summary summary) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Reports.Bucket bucket : summary.buckets()) {
      rows.add(row("from", bucket.from(), "to", bucket.to(), bucket.figures()));
    }
    rows.add(row("from", summary.from(), "to", summary.to() + " (total)", summary.total()));
    return write(rows);
  }

  public static String agents(Reports.AgentTable table) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Reports.AgentRow agent : table.agents()) {
      rows.add(row("agentId", agent.agentId() == null ? "(no agent)" : agent.agentId(), null, null, agent.figures()));
    }
    rows.add(row("agentId", "(total)", null, null, table.total()));
    return write(rows);
  }

  public static String heatMap(Reports.HeatMap map) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Reports.HeatCell cell : map.cells()) rows.add(flatten(cell));
    return write(rows);
  }

  public static String calls(List<ReportStore.CallRow> calls) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ReportStore.CallRow call : calls) rows.add(flatten(call));
    if (rows.isEmpty()) rows.add(flatten(new ReportStore.CallRow(null, null, null, null, null, null, null, null, 0, 0,
        0, null, null)));
    String csv = write(rows);
    return calls.isEmpty() ? csv.substring(0, csv.indexOf('\n') + 1) : csv;
  }

  /** A text cell made safe for spreadsheets. */
  public static String cell(String text) {
    if (text == null || text.isEmpty()) return text;
    char first = text.charAt(0);
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
        ? "'" + text : text;
  }

  private static Map<String, Object> row(String firstName, Object first, String secondName, Object second,
      Figures.View figures) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put(firstName, first == null ? null : first.toString());
    if (secondName != null) row.put(secondName, second == null ? null : second.toString());
    row.putAll(flatten(figures));
    return row;
  }

  private static Map<String, Object> flatten(Object value) {
    Map<String, Object> out = new LinkedHashMap<>();
    flatten("", JSON.valueToTree(value), out);
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
      }
    } else if (node.isNull()) {
      out.put(prefix, null);
    } else if (node.isNumber()) {
      out.put(prefix, node.numberValue());
    } else if (node.isBoolean()) {
      out.put(prefix, node.booleanValue());
    } else {
      out.put(prefix, node.asText());
    }
  }

  private static String write(List<Map<String, Object>> rows) {
    StringWriter out = new StringWriter();
    try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator("\n").get())) {
      if (!rows.isEmpty()) printer.printRecord(rows.get(0).keySet());
      for (Map<String, Object> row : rows) {
        List<Object> cells = new ArrayList<>();
        for (Object value : row.values()) cells.add(value instanceof String text ? cell(text) : value);
        printer.printRecord(cells);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
