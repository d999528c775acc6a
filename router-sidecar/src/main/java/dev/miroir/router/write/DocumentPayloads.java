package dev.miroir.router.write;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.miroir.router.MeiliError;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a document payload (JSON, NDJSON or CSV, as Meilisearch accepts them) into JSON objects. The
 * router must see every document to find its shard, and it forwards each node's share as one JSON
 * array, so CSV typing ({@code price:number}) is applied here exactly as Meilisearch applies it:
 * untyped columns are strings, an empty cell is null.
 */
public final class DocumentPayloads {

  // Exact decimals: without them 158.0 is stored as 158 and the router changes client documents.
  public static final ObjectMapper JSON =
      JsonMapper.builder().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();

  private static final CsvMapper CSV = new CsvMapper();

  public enum Format {
    JSON("json"),
    NDJSON("ndjson"),
    CSV("csv");

    final String wireName;

    Format(String wireName) {
      this.wireName = wireName;
    }

    /** The format named by a Content-Type header, as Meilisearch matches them. */
    public static Format ofContentType(String contentType) {
      if (contentType == null || contentType.isBlank()) {
        throw MeiliError.missingContentType().exception();
      }
      String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      return switch (mime) {
        case "application/json" -> JSON;
        case "application/x-ndjson" -> NDJSON;
        case "text/csv" -> CSV;
        default -> throw MeiliError.invalidContentType(contentType).exception();
      };
    }
  }

  private DocumentPayloads() {}

  public static List<ObjectNode> read(Format format, byte[] body, Character csvDelimiter) {
    if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
      throw MeiliError.invalidRequest(
              "missing_payload", "A " + format.wireName + " payload is missing.")
          .exception();
    }
    if (format != Format.CSV && body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB
        && (body[2] & 0xff) == 0xBF) {
      // serde_json does not skip a byte-order mark (Jackson would), so a node refuses it.
      throw MeiliError.malformedPayload(format.wireName,
          "Couldn't serialize document value: expected value at line 1 column 1").exception();
    }
    List<ObjectNode> documents = switch (format) {
      case JSON -> readJson(body);
      case NDJSON -> readNdjson(body);
      case CSV -> readCsv(body, csvDelimiter == null ? ',' : csvDelimiter);
    };
    for (ObjectNode document : documents) {
      if (dev.miroir.router.admission.StrictJson.hasLoneSurrogate(document)) {
        // A node enqueues such a batch and fails it when its parser meets the escape.
        throw new dev.miroir.router.admission.TaskFailure(new MeiliError(500,
            "internal: unexpected end of hex escape (a lone UTF-16 surrogate).", "internal", "internal"));
      }
    }
    return documents;
  }

  private static List<ObjectNode> readJson(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw MeiliError.malformedPayload("json", "Couldn't serialize document value: "
          + e.getOriginalMessage()).exception();
    } catch (IOException e) {
      throw MeiliError.malformedPayload("json", e.getMessage()).exception();
    }
    List<ObjectNode> documents = new ArrayList<>();
    if (root instanceof ObjectNode object) {
      documents.add(object);
    } else if (root != null && root.isArray()) {
      for (JsonNode element : root) {
        documents.add(requireObject(element, "json"));
      }
    } else {
      throw MeiliError.malformedPayload("json", "Couldn't serialize document value: expected an"
          + " object or an array of objects").exception();
    }
    return documents;
  }

  private static List<ObjectNode> readNdjson(byte[] body) {
    List<ObjectNode> documents = new ArrayList<>();
    try (JsonParser parser = JSON.createParser(body);
        MappingIterator<JsonNode> it = JSON.readValues(parser, JsonNode.class)) {
      while (it.hasNextValue()) {
        documents.add(requireObject(it.nextValue(), "ndjson"));
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof dev.miroir.router.ApiException api) {
        throw api;
      }
      String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw MeiliError.malformedPayload("ndjson", String.valueOf(detail)).exception();
    }
    return documents;
  }

  private static List<ObjectNode> readCsv(byte[] body, char delimiter) {
    CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(delimiter);
    List<ObjectNode> documents = new ArrayList<>();
    try (MappingIterator<String[]> rows =
        CSV.readerFor(String[].class).with(schema).with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(body)) {
      if (!rows.hasNextValue()) {
        return documents;
      }
      String[] header = rows.nextValue();
      String[] names = new String[header.length];
      String[] types = new String[header.length];
      for (int i = 0; i < header.length; i++) {
        int colon = header[i].lastIndexOf(':');
        String type = colon < 0 ? "" : header[i].substring(colon + 1);
        if (type.equals("string") || type.equals("number") || type.equals("boolean")) {
          names[i] = header[i].substring(0, colon);
          types[i] = type;
        } else {
          names[i] = header[i];
          types[i] = "string";
        }
      }
      int line = 1;
      while (rows.hasNextValue()) {
        String[] row = rows.nextValue();
        line++;
        if (row.length == 1 && row[0].isEmpty() && header.length > 1) {
          continue; // blank line
        }
        if (row.length != header.length) {
          throw MeiliError.malformedPayload("csv", "CSV error: record " + (line - 1)
              + " (line: " + line + ") has " + row.length + " fields, but the header has "
              + header.length + " fields").exception();
        }
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < header.length; i++) {
          doc.set(names[i], typed(row[i], types[i], names[i], line));
        }
        documents.add(doc);
      }
    } catch (IOException e) {
      throw MeiliError.malformedPayload("csv", e.getMessage()).exception();
    }
    return documents;
  }

  private static JsonNode typed(String cell, String type, String column, int line) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (cell.isEmpty()) {
      return f.nullNode();
    }
    switch (type) {
      case "number" -> {
        try {
          BigDecimal number = new BigDecimal(cell.trim());
          return number.scale() <= 0 && number.precision() - number.scale() < 19
              ? f.numberNode(number.longValueExact())
              : f.numberNode(number.doubleValue());
        } catch (NumberFormatException | ArithmeticException e) {
          throw MeiliError.malformedPayload("csv", "Error parsing number \"" + cell
              + "\" at line " + line + ": invalid float literal").exception();
        }
      }
      case "boolean" -> {
        String b = cell.trim();
        if (b.equals("true") || b.equals("false")) {
          return f.booleanNode(Boolean.parseBoolean(b));
        }
        throw MeiliError.malformedPayload("csv", "Error parsing boolean \"" + cell
            + "\" at line " + line + ": provided string was not `true` or `false`").exception();
      }
      default -> {
        return f.textNode(cell);
      }
    }
  }

  private static ObjectNode requireObject(JsonNode element, String format) {
    if (element instanceof ObjectNode object) {
      return object;
    }
    throw MeiliError.malformedPayload(format, "Couldn't serialize document value: invalid type: "
        + (element == null ? "null" : element.getNodeType().name().toLowerCase(Locale.ROOT))
        + ", expected a map").exception();
  }

  /** Guards the reserved field; the whole batch is refused so that bad input changes nothing. */
  public static void rejectReservedField(List<ObjectNode> documents) {
    for (ObjectNode document : documents) {
      for (String stamp : dev.miroir.router.search.ShardStamp.FIELDS) {
        if (document.has(stamp)) {
          throw MeiliError.reservedField(stamp).exception();
        }
      }
    }
  }

}
