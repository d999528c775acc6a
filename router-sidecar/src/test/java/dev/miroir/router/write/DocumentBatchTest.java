package dev.miroir.router.write;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.ApiException;
import dev.miroir.router.admission.TaskFailure;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.topology.ThreeNodeSnapshots;
import dev.miroir.router.write.DocumentPayloads.Format;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The byte-span batch against the tree path it replaced: reading ({@link DocumentPayloads#read} and
 * {@link DocumentPayloads#rejectReservedField}), ids ({@link DocumentIds#idOf}) and splitting
 * ({@link WriteSplitter#splitDocuments} then one JSON array per node) must give every node the same
 * documents, and every refused body the same error.
 */
class DocumentBatchTest {

  /** What the tree path made of a body: each node's documents (canonical JSON), or its error. */
  private static String before(Format format, String body, String pk, RoutingSnapshot s) {
    try {
      List<ObjectNode> documents = DocumentPayloads.read(format, bytes(body), null);
      DocumentPayloads.rejectReservedField(documents);
      var split = WriteSplitter.splitDocuments(documents, pk, s, ShardStamp.GEO);
      Map<String, String> out = new TreeMap<>();
      split.perNode().forEach((node, docs) -> {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        docs.forEach(array::add);
        out.put(node, canonical(array.toString().getBytes(StandardCharsets.UTF_8)));
      });
      return documents.size() + " " + out + " " + split.targetsByShard();
    } catch (ApiException e) {
      return "refused " + e.error();
    } catch (TaskFailure e) {
      return "failed " + e.error();
    } catch (RuntimeException e) {
      return "threw " + e.getClass().getName();
    }
  }

  private static String after(Format format, String body, String pk, RoutingSnapshot s) {
    try {
      DocumentBatch batch = DocumentBatch.read(format, bytes(body), null);
      var split = WriteSplitter.splitBatch(batch, pk, s, ShardStamp.GEO);
      Map<String, String> out = new TreeMap<>();
      split.perNode().forEach((node, bytes) -> out.put(node, canonical(bytes)));
      return batch.size() + " " + out + " " + split.targetsByShard();
    } catch (ApiException e) {
      return "refused " + e.error();
    } catch (TaskFailure e) {
      return "failed " + e.error();
    } catch (RuntimeException e) {
      return "threw " + e.getClass().getName();
    }
  }

  private static String canonical(byte[] json) {
    try {
      return DocumentPayloads.JSON.readTree(json).toString();
    } catch (java.io.IOException e) {
      throw new AssertionError("a node body that is not JSON: " + new String(json, StandardCharsets.UTF_8), e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void same(Format format, String body, String pk) {
    for (int rf : new int[] {1, 2}) {
      RoutingSnapshot s = ThreeNodeSnapshots.of(rf);
      assertThat(after(format, body, pk, s)).as("%s rf %d: %s", format, rf, body)
          .isEqualTo(before(format, body, pk, s));
    }
  }

  @Test
  void nodesGetTheSameDocumentsAsFromTrees() {
    List<String> bodies = List.of(
        "[{\"id\":1,\"title\":\"a\"},{\"id\":\"b-2\",\"title\":\"b\"},{\"id\":3}]",
        "{\"id\":7,\"only\":true}",
        "[]",
        " [ {\"id\" : 1 , \"x\" : [ 1 , 2 ] } ,\n\t{ \"id\":2 } ] ",
        "[{\"id\":\"u\",\"t\":\"héllo ✓ 😀 日本\",\"e\":\"\\u00e9\\ud83d\\ude00\\u0000\"}]",
        "[{\"id\":\"q\",\"s\":\"he said \\\"hi\\\" \\\\ \\/ \\n \\t }]{[,\"}]",
        "[{\"id\":1,\"n\":{\"a\":[1,{\"b\":null}],\"c\":{},\"d\":[]},\"z\":{\"id\":99}}]",
        "[{\"id\":0},{\"id\":-5},{\"id\":18446744073709551615},{\"id\":\"007\"},{\"id\":9223372036854775807}]",
        "[{\"id\":1,\"f\":1.50,\"g\":1e2,\"h\":-0.0,\"i\":1E+400,\"j\":-0,\"k\":123456789012345678901234567890}]",
        "[{\"id\":1,\"a\":1,\"a\":2},{\"id\":2,\"n\":{\"b\":1,\"b\":[2]}}]",
        "[{\"id\":5,\"v\":1},{\"id\":5,\"v\":2},{\"id\":5,\"v\":3}]",
        "[{\"id\":1,\"_geo\":{\"lat\":1.5,\"lng\":\"2\"},\"_vectors\":{\"e\":[0.1,0.2]}}]",
        "[{\"title\":\"pk last\",\"id\":42}]",
        "[{\"id\":1}] trailing text the tree reader never reads",
        "[{\"id\":1,\"_miroir_shardx\":1,\"n\":{\"_miroir_shard\":2}}]");
    for (String body : bodies) {
      same(Format.JSON, body, "id");
    }
  }

  @Test
  void ndjsonAndCsvAsBefore() {
    same(Format.NDJSON, "{\"id\":1,\"t\":\"a\"}\n{\"id\":2,\"t\":\"ü\"}\n", "id");
    same(Format.NDJSON, "{\"id\":1}\r\n\r\n{\"id\":2}{\"id\":3}", "id");
    same(Format.NDJSON, "{\"id\":1,\"a\":1,\"a\":2}\n", "id");
    same(Format.CSV, "id,title,price:number,ok:boolean\n1,a,1.5,true\n2,\"b, c\",,false\n", "id");
    same(Format.CSV, "sku:string,n:number\nx-1,3\n", "sku");
  }

  @Test
  void keysNestedOrNamedDifferently() {
    same(Format.JSON, "[{\"a\":{\"b\":\"x\"}},{\"a.b\":\"y\"},{\"a\":{\"b\":3}}]", "a.b");
    same(Format.JSON, "[{\"Sku\":\"s1\",\"id\":9}]", "Sku");
  }

  @Test
  void refusedBodiesGiveTheSameError() {
    List<String> bodies = List.of(
        "", "   \n", "\uFEFF[{\"id\":1}]", "[{\"id\":1},", "[{\"id\":1} {\"id\":2}]", "{\"id\":1,}", "[1]",
        "[{\"id\":1},2]", "[{\"id\":1},[]]", "\"text\"", "null", "42", "[{\"id\":1},{\"id\":2,\"x\":tru}]",
        "[{\"id\":1,\"_miroir_shard\":3}]", "[{\"id\":1},{\"_miroir_shard\":null,\"id\":2}]",
        "[{\"id\":1,\"t\":\"\\ud800\"}]", "[{\"id\":1,\"\\udc00k\":1}]", "[{\"t\":\"no id\"}]",
        "[{\"id\":\"a b\"}]", "[{\"id\":true}]", "[{\"id\":1.5}]", "[{\"id\":1e2}]", "[{\"id\":null}]",
        "[{\"id\":[1]}]", "[{\"id\":{\"a\":1}}]", "[{\"id\":\"" + "x".repeat(512) + "\"}]", "[{\"id\":\"\"}]",
        "[{\"id\":1},{\"id\":2,\"_miroir_shard\":1},{\"id\":3,\"t\":\"\\udfff\"}]", "[{\"id\":1e99999999999}]",
        "[{\"id\":1,\"_geo._miroir_shard\":3}]", "[{\"id\":1},{\"_geo._miroir_shard\":null,\"id\":2}]");
    for (String body : bodies) {
      same(Format.JSON, body, "id");
    }
    same(Format.NDJSON, "{\"id\":1}\n[{\"id\":2}]\n", "id");
    same(Format.NDJSON, "{\"id\":1}\n{\"id\":2\n", "id");
    same(Format.NDJSON, "{\"id\":1}\nnull\n", "id");
    same(Format.NDJSON, "{\"id\":1,\"_miroir_shard\":1}\n", "id");
    same(Format.CSV, "id,n:number\n1,x\n", "id");
    same(Format.CSV, "id,_miroir_shard\n1,2\n", "id");
    same(Format.CSV, "id,_geo._miroir_shard\n1,2\n", "id");
  }

  @Test
  void aDocumentCarryingEitherStampIsRefusedAsReserved() {
    for (String field : ShardStamp.FIELDS) {
      String refused = after(Format.JSON, "[{\"id\":1},{\"id\":2,\"" + field + "\":0}]", "id",
          ThreeNodeSnapshots.of(1));
      assertThat(refused).startsWith("refused").contains("miroir_reserved_field").contains(field);
    }
  }

  @Test
  void theScanKeepsTheClientsBytesAndStampsLast() {
    String body = "[{\"id\":\"a\",\"t\":\"\\u00e9\"} , {\"id\":\"b\"}]";
    DocumentBatch batch = DocumentBatch.scan(bytes(body), false);
    assertThat(batch).isNotNull();
    byte[] node = batch.body(new int[] {1, 0}, 2, new int[] {12, 3}, ShardStamp.LEGACY);
    assertThat(new String(node, StandardCharsets.UTF_8))
        .isEqualTo("[{\"id\":\"b\",\"_miroir_shard\":3},{\"id\":\"a\",\"t\":\"\\u00e9\",\"_miroir_shard\":12}]");
    assertThat(new String(batch.body(new int[] {1, 0}, 2, new int[] {12, 3}, ShardStamp.GEO), StandardCharsets.UTF_8))
        .isEqualTo("[{\"id\":\"b\",\"_geo._miroir_shard\":3},{\"id\":\"a\",\"t\":\"\\u00e9\",\"_geo._miroir_shard\":12}]");
    assertThat(DocumentBatch.scan(bytes("[{\"id\":1,\"id\":2}]"), false)).as("duplicates go to the trees").isNull();
  }

  @Test
  void anEmptyDocumentIsStampedWithoutAComma() {
    DocumentBatch batch = DocumentBatch.ofTrees(List.of(JsonNodeFactory.instance.objectNode()));
    assertThat(new String(batch.body(new int[] {0}, 1, new int[] {7}, ShardStamp.LEGACY), StandardCharsets.UTF_8))
        .isEqualTo("[{\"_miroir_shard\":7}]");
    DocumentBatch scanned = DocumentBatch.scan(bytes("[{ }]"), false);
    assertThat(new String(scanned.body(new int[] {0}, 1, new int[] {0}, ShardStamp.LEGACY), StandardCharsets.UTF_8))
        .isEqualTo("[{ \"_miroir_shard\":0}]");
    assertThat(new String(scanned.body(new int[] {0}, 1, new int[] {0}, ShardStamp.GEO), StandardCharsets.UTF_8))
        .isEqualTo("[{ \"_geo._miroir_shard\":0}]");
  }

  @Test
  void largeBatchesSplitLikeTrees() {
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < 5_000; i++) {
      body.append(i == 0 ? "" : ",").append("{\"id\":").append(i % 2 == 0 ? String.valueOf(i) : "\"s" + i + "\"")
          .append(",\"title\":\"t ").append(i).append(" ü\",\"n\":{\"p\":").append(i * 0.25).append("}}");
    }
    same(Format.JSON, body.append("]").toString(), "id");
  }

  /** Ids and the whole-batch rules on the scanned batch against the same batch read as trees. */
  private static void sameRules(String body, String pk, BatchRules.IndexShape shape) {
    DocumentBatch scanned = DocumentBatch.read(Format.JSON, bytes(body), null);
    DocumentBatch trees = DocumentBatch.ofTrees(DocumentPayloads.read(Format.JSON, bytes(body), null));
    assertThat(String.valueOf(BatchRules.check("i", scanned, pk, shape, true)))
        .as(body).isEqualTo(String.valueOf(BatchRules.check("i", trees, pk, shape, true)));
    assertThat(idsOrError(scanned, pk)).as(body).isEqualTo(idsOrError(trees, pk));
  }

  private static String idsOrError(DocumentBatch batch, String pk) {
    try {
      Object[] ids = batch.ids(pk);
      StringBuilder out = new StringBuilder();
      for (Object id : ids) {
        out.append(id.getClass().getSimpleName()).append(':').append(id).append(' ');
      }
      return out.toString();
    } catch (ApiException e) {
      return "refused " + e.error();
    }
  }

  @Test
  void idsAndGeoRulesReadFromBytesAsFromTrees() throws Exception {
    BatchRules.IndexShape geo = BatchRules.IndexShape.of(DocumentPayloads.JSON.readTree(
        "{\"filterableAttributes\":[\"_geo\"]}"));
    List<String> bodies = List.of(
        "[{\"id\":1,\"_geo\":{\"lat\":1.5,\"lng\":-2}},{\"id\":\"a-b_C9\",\"_geo\":null}]",
        "[{\"id\":1,\"_geo\":{\"lat\":\"1.5\",\"lng\":\"2\"}}]",
        "[{\"id\":1,\"_geo\":{\"lat\":\"x\",\"lng\":2}}]",
        "[{\"id\":1,\"_geo\":{\"lat\":1}}]",
        "[{\"id\":1,\"_geo\":{\"lat\":1,\"lng\":2,\"alt\":3}}]",
        "[{\"id\":1,\"_geo\":{\"lat\":1e400,\"lng\":2}}]",
        "[{\"id\":1,\"_geo\":{\"lat\":1" + "0".repeat(400) + ",\"lng\":2}}]",
        "[{\"id\":1,\"_geo\":[1,2]}]",
        "[{\"id\":1,\"_geo\":{\"lat\":{\"v\":1},\"lng\":2}}]",
        "[{\"id\":1,\"_geo\":\"here\"}]",
        "[{\"_geo\":{\"lat\":1,\"lng\":2},\"id\":7,\"x\":{\"_geo\":1}}]",
        "[{ \"id\" :\t-0 },{\"id\":-9223372036854775809},{\"id\":18446744073709551616}]",
        "[{\"i\\u0064\":\"escaped-key\"},{\"id\":\"\\u0061\"},{\"id\":\"a\\\"b\"}]",
        "[{\"idx\":1,\"id\":2},{\"xid\":1,\"id\":\"z\"}]",
        "[{\"id\":\"" + "y".repeat(511) + "\"},{\"id\":\"" + "y".repeat(512) + "\"}]",
        "[{\"id\":1},{\"id\":\"é\"}]", "[{\"id\":1},{\"id\":2.0}]", "[{\"id\":1},{\"id\":-1e3}]",
        "[{\"id\":1},{\"title\":\"none\"}]", "[{\"id\":1},{\"id\":\"\"}]");
    for (String body : bodies) {
      sameRules(body, "id", geo);
    }
    assertThat(DocumentBatch.scan(bytes(bodies.get(11)), false).keysAtQuotes()).isTrue();
  }
}
