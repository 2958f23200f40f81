package io.videoshop.privacy;

import io.videoshop.http.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The machine-readable bundle of an export (a shopper's or a user's): a zip of one JSON file and
 * one CSV file per part, and {@code manifest.json} naming each file and its records.
 */
final class ExportBundle {
  private ExportBundle() {}

  /** @param files part name to rows (a list of objects, each a map of column to value), in order */
  static byte[] zip(Map<String, Object> manifest, Map<String, List<Map<String, Object>>> files) {
    Map<String, Object> described = new LinkedHashMap<>(manifest);
    List<Map<String, Object>> listed = new ArrayList<>();
    files.forEach((name, rows) -> listed.add(row("name", name + ".json", "csv", name + ".csv", "records", rows.size())));
    described.put("files", listed);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      put(zip, "manifest.json", Json.write(described));
      for (Map.Entry<String, List<Map<String, Object>>> file : files.entrySet()) {
        put(zip, file.getKey() + ".json", Json.write(file.getValue()));
        put(zip, file.getKey() + ".csv", csv(file.getValue()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A row from column, value pairs (instants as ISO-8601 text). */
  static Map<String, Object> row(Object... pairs) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      Object value = pairs[i + 1];
      row.put((String) pairs[i], value instanceof java.time.Instant instant ? instant.toString() : value);
    }
    return row;
  }

  private static void put(ZipOutputStream zip, String name, String content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  /** RFC 4180: a header of every column seen, quotes around every field. */
  static String csv(List<Map<String, Object>> rows) {
    List<String> columns = new ArrayList<>();
    rows.forEach(row -> row.keySet().forEach(column -> {
      if (!columns.contains(column)) columns.add(column);
    }));
    StringWriter out = new StringWriter();
    out.append(String.join(",", columns.stream().map(ExportBundle::quote).toList())).append("\r\n");
    for (Map<String, Object> row : rows) {
      out.append(String.join(",", columns.stream().map(c -> quote(row.get(c) == null ? "" : String.valueOf(row.get(c))))
          .toList())).append("\r\n");
    }
    return out.toString();
  }

  private static String quote(String value) {
    // A leading =, +, - or @ would be a formula in a spreadsheet: prefixed so it stays text.
    String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    return "\"" + safe.replace("\"", "\"\"") + "\"";
  }
}
