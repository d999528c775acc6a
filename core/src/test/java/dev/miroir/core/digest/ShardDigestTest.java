package dev.miroir.core.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardDigestTest {

  @Test
  void canonicalFormSortsKeysAtEveryDepthAndDropsTheShardStamp() {
    CanonicalDocument doc = CanonicalDocument.of(
        "{ \"title\": \"Ré\\\"x\", \"id\": 7, \"_miroir_shard\": 3, \"meta\": {\"z\": [2, {\"b\":1,\"a\":null}], \"a\": true}}",
        "id");
    assertThat(doc.id()).isEqualTo("7");
    assertThat(doc.json()).isEqualTo("{\"id\":7,\"meta\":{\"a\":true,\"z\":[2,{\"a\":null,\"b\":1}]},\"title\":\"Ré\\\"x\"}");
  }

  @Test
  void numbersKeepTheFormTheNodeWrote() {
    assertThat(CanonicalDocument.of("{\"id\":\"a\",\"n\":1.0}", "id").json())
        .isNotEqualTo(CanonicalDocument.of("{\"id\":\"a\",\"n\":1}", "id").json())
        .isEqualTo("{\"id\":\"a\",\"n\":1.0}");
    assertThat(CanonicalDocument.of("{\"id\":\"a\",\"n\":12345678901234567890.125e-3}", "id").json())
        .contains("12345678901234567890.125e-3");
  }

  @Test
  void onlyATopLevelShardFieldIsRouting() {
    assertThat(CanonicalDocument.of("{\"id\":\"a\",\"x\":{\"_miroir_shard\":1}}", "id").json())
        .isEqualTo("{\"id\":\"a\",\"x\":{\"_miroir_shard\":1}}");
  }

  @Test
  void regeneratedEmbeddingsAreNotContentButClientVectorsAre() {
    String generated = "{\"id\":1,\"_vectors\":{\"e\":{\"embeddings\":[[0.1]],\"regenerate\":true}}}";
    String generatedElsewhere = "{\"id\":1,\"_vectors\":{\"e\":{\"embeddings\":[[0.1000001]],\"regenerate\":true}}}";
    assertThat(CanonicalDocument.of(generated, "id").json()).isEqualTo(CanonicalDocument.of(generatedElsewhere, "id").json());
    String supplied = "{\"id\":1,\"_vectors\":{\"e\":{\"embeddings\":[[0.1]],\"regenerate\":false}}}";
    String suppliedOther = "{\"id\":1,\"_vectors\":{\"e\":{\"embeddings\":[[0.2]],\"regenerate\":false}}}";
    assertThat(CanonicalDocument.of(supplied, "id").json()).isNotEqualTo(CanonicalDocument.of(suppliedOther, "id").json());
  }

  @Test
  void anEmptyVectorsObjectIsNoVectors() {
    assertThat(CanonicalDocument.of("{\"id\":1,\"_vectors\":{}}", "id").json()).isEqualTo("{\"id\":1}");
    assertThat(CanonicalDocument.of("{\"id\":1,\"x\":{\"_vectors\":{}}}", "id").json())
        .isEqualTo("{\"id\":1,\"x\":{\"_vectors\":{}}}");
  }

  @Test
  void dottedPrimaryKeyMatchesAFlatOrANestedField() {
    assertThat(CanonicalDocument.of("{\"a.b\":\"x1\"}", "a.b").id()).isEqualTo("x1");
    assertThat(CanonicalDocument.of("{\"a\":{\"b\":\"x2\"}}", "a.b").id()).isEqualTo("x2");
    assertThatThrownBy(() -> CanonicalDocument.of("{\"a\":[\"x\"]}", "a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalDocument.of("{\"id\":1.5}", "id")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void digestIgnoresArrivalOrderKeyOrderAndShardStampButSeesAnyContentChange() {
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      docs.add("{\"id\":\"d" + i + "\",\"n\":" + i + ",\"tags\":[\"t" + (i % 7) + "\"]}");
    }
    ShardDigest a = digest(docs);
    List<String> shuffled = new ArrayList<>(docs);
    Collections.shuffle(shuffled, new Random(42));
    List<String> reordered = shuffled.stream()
        .map(d -> d.replace("{\"id\"", "{\"_miroir_shard\":5,\"tags\":null,\"id\"").replace(",\"tags\":[", ",\"tags\":["))
        .toList();
    // The replacement above adds a duplicate "tags" key (null first, the real one last): JSON's last wins.
    assertThat(digest(shuffled)).isEqualTo(a);
    assertThat(digest(reordered)).isEqualTo(a);
    assertThat(a.count()).isEqualTo(200);

    List<String> changed = new ArrayList<>(docs);
    changed.set(77, "{\"id\":\"d77\",\"n\":78,\"tags\":[\"t0\"]}");
    assertThat(digest(changed).digest()).isNotEqualTo(a.digest());
    assertThat(digest(changed).count()).isEqualTo(200);
    assertThat(digest(docs.subList(0, 199)).count()).isEqualTo(199);
  }

  @Test
  void aDocumentSeenTwiceCountsOnceAndTheLastCopyWins() {
    ShardDigest.Builder b = ShardDigest.builder();
    b.addJson("{\"id\":1,\"v\":\"old\"}", "id");
    b.addJson("{\"id\":1,\"v\":\"new\"}", "id");
    assertThat(b.build()).isEqualTo(digest(List.of("{\"id\":1,\"v\":\"new\"}")));
  }

  @Test
  void emptyShardHasTheEmptyDigest() {
    assertThat(ShardDigest.builder().build()).isEqualTo(ShardDigest.EMPTY);
    assertThat(ShardDigest.EMPTY.count()).isZero();
    assertThat(ShardDigest.EMPTY.digest())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void idsAreOrderedAsTextSoIntegerAndStringIdsNeverCollideInOrder() {
    // 10 sorts before 9 as text; what matters is that every replica uses the same order.
    ShardDigest.Builder b = ShardDigest.builder();
    b.addJson("{\"id\":9}", "id").addJson("{\"id\":10}", "id");
    assertThat(b.documents().byId().firstKey()).isEqualTo("10");
  }

  @Test
  void documentDigestsSummariseToTheSameDigestAndDiffNamesWhatToWriteAndDelete() {
    ShardDigest.Builder auth = ShardDigest.builder();
    auth.addJson("{\"id\":\"a\",\"v\":1}", "id").addJson("{\"id\":\"b\",\"v\":1}", "id").addJson("{\"id\":\"c\",\"v\":1}", "id");
    ShardDigest.Builder replica = ShardDigest.builder();
    replica.addJson("{\"id\":\"a\",\"v\":1}", "id").addJson("{\"id\":\"b\",\"v\":2}", "id").addJson("{\"id\":\"z\",\"v\":1}", "id");

    assertThat(auth.documents().summary()).isEqualTo(auth.build());
    assertThat(replica.documents().summary()).isEqualTo(replica.build());

    DigestDiff diff = replica.documents().diffAgainst(auth.documents());
    assertThat(diff.missing()).containsExactly("c");
    assertThat(diff.differing()).containsExactly("b");
    assertThat(diff.extra()).containsExactly("z");
    assertThat(diff.toWrite()).containsExactly("c", "b");
    assertThat(auth.documents().diffAgainst(auth.documents()).isEmpty()).isTrue();
  }

  @Test
  void goldenDigestPinsTheFormat() {
    // If this changes, digests computed by routers of different versions stop comparing: bump with care.
    ShardDigest d = digest(List.of("{\"id\":\"x\",\"a\":[1,2.50,\"s\"]}", "{\"id\":2,\"b\":{\"d\":false,\"c\":null}}"));
    assertThat(d.count()).isEqualTo(2);
    assertThat(d.digest()).isEqualTo(GOLDEN);
  }

  // Computed independently (Python hashlib over the byte layout documented on ShardDigest).
  static final String GOLDEN = "daf84cb2035b4acf4dc8bec04e6dff022b181a5d07f85e470a94eb8ca2cffc88";

  private static ShardDigest digest(List<String> docs) {
    ShardDigest.Builder b = ShardDigest.builder();
    docs.forEach(d -> b.addJson(d, "id"));
    return b.build();
  }
}
