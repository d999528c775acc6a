package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.bodyOrNull;
import static dev.miroir.router.http.Endpoints.clientAuthorization;
import static dev.miroir.router.http.Endpoints.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.http.ShardScatter.Answer;
import dev.miroir.router.http.ShardScatter.Outcome;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.DistinctCount;
import dev.miroir.router.search.DocumentPage;
import dev.miroir.router.search.FacetSearchMerger;
import dev.miroir.router.search.FederatedSearch;
import dev.miroir.router.search.HitMerger;
import dev.miroir.router.search.IndexSearchSettings;
import dev.miroir.router.search.MultiSearchMerger;
import dev.miroir.router.search.NodeAnswer;
import dev.miroir.router.search.ReplicaPreference;
import dev.miroir.router.search.ShardFilter;
import dev.miroir.router.search.ShardQueryBuilder;
import dev.miroir.router.search.ShardQueryBuilder.ShardSearch;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.write.DocumentPayloads;
import dev.miroir.router.write.ReservedFields;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Search and document reads over the shards: {@code /indexes/{uid}/search} (GET and POST),
 * {@code /multi-search} (plain and federated), {@code /indexes/{uid}/facet-search},
 * {@code /indexes/{uid}/similar} (GET and POST), document listing and fetch, and one document by id.
 *
 * <p>Each request reads the topology once, reaches exactly one readable replica of every shard
 * ({@link ShardScatter}, which also fails over), and merges with the pure functions of
 * {@code dev.miroir.router.search}. The shard stamp never leaves the router: it is removed from
 * hits, documents, facet distributions and stats, and from node error messages.
 *
 * <p><b>Partial results.</b> When no replica of some shard answers, the router answers with what
 * the other shards returned and names the missing shards in {@code X-Miroir-Missing-Shards: 3,17}.
 * A client that prefers an error sends {@code X-Miroir-Strict: true} and gets a 503
 * {@code miroir_shards_unavailable} instead. When no shard at all answers, the answer is that 503
 * whatever the header.
 *
 * <p><b>Document listing order.</b> See {@link DocumentPage}: shard by shard, then each node's own
 * order; by the sort values when {@code sort} is given.
 *
 * <p>A body the router cannot plan (not a JSON object, wrong content type) is sent as it is to one
 * node, so the client gets Meilisearch's own error for it.
 */
public class SearchRoutes implements RouteModule {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** How much a failed call weighs in a node's latency average, in milliseconds. */
  private static final double FAILURE_PENALTY_MILLIS = 5_000;

  private Fleet fleet;
  private ShardScatter scatter;
  private SearchSettingsCache settings;
  private ReplicaLoad load;
  private ShardResidency residency;

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    this.fleet = fleet;
    this.load = new ReplicaLoad(FAILURE_PENALTY_MILLIS);
    this.scatter = new ShardScatter(fleet, load);
    this.settings = new SearchSettingsCache(fleet);
    this.residency = new ShardResidency(fleet);
    invalidateOnSettingsWrites(e.router());

    e.on(HttpMethod.POST, "/indexes/:uid/search", "search", ctx -> search(ctx, postBody(ctx)));
    e.on(HttpMethod.GET, "/indexes/:uid/search", "search",
        ctx -> search(ctx, QueryParams.toBody(ctx.queryParams().entries(), "invalid_search_")));
    e.on(HttpMethod.POST, "/multi-search", "multiSearch", this::multiSearch);
    e.on(HttpMethod.POST, "/indexes/:uid/facet-search", "facetSearch", this::facetSearch);
    e.on(HttpMethod.POST, "/indexes/:uid/similar", "similar", ctx -> similar(ctx, postBody(ctx)));
    e.on(HttpMethod.GET, "/indexes/:uid/similar", "similar",
        ctx -> similar(ctx, QueryParams.toBody(ctx.queryParams().entries(), "invalid_similar_")));
    e.on(HttpMethod.POST, "/indexes/:uid/documents/fetch", "documents.fetch",
        ctx -> listDocuments(ctx, postBody(ctx)));
    e.on(HttpMethod.GET, "/indexes/:uid/documents", "documents.list",
        ctx -> listDocuments(ctx, QueryParams.toBody(ctx.queryParams().entries(), "invalid_document_")));
    e.on(HttpMethod.GET, "/indexes/:uid/documents/:id", "documents.get", this::getDocument);
  }

  // ---- search ------------------------------------------------------------------------------

  private Future<Reply> search(RoutingContext ctx, ObjectNode body) {
    if (body == null) {
      return IndexRoutes.forwardToOne(fleet, ctx).map(SearchRoutes::clean);
    }
    String auth = clientAuthorization(ctx);
    String index = ctx.pathParam("uid");
    boolean strict = strict(ctx);
    RoutingSnapshot s = fleet.snapshot();
    String path = "/indexes/" + segment(index) + "/search";
    return settings.get(s, index).compose(indexSettings -> {
      ShardSearch plan = ShardQueryBuilder.search(body, indexSettings);
      String distinct = plan.intent().distinctAttribute();
      Long affinity = ReplicaPreference.affinity(body);
      Future<Outcome<ObjectNode>> searched =
          scatter.scatter(s, null, false, (node, shards) -> plan.forNode(shards,
              residency.exclusive(s, index, node, shards, plan.stamp())), b -> post(path, b, auth), affinity);
      // With distinct, a second pass counts distinct values across shards (see DistinctCount).
      Future<Outcome<ObjectNode>> counted = distinct == null ? Future.succeededFuture(null)
          : scatter.scatter(s, null, false, (node, shards) -> DistinctCount.countQuery(plan.forShards(shards),
              distinct, indexSettings.maxTotalHits()), b -> post(path, b, auth), affinity);
      return Future.all(searched, counted).map(done -> {
        Outcome<ObjectNode> outcome = searched.result();
        if (outcome.refusal() != null) {
          return refusal(outcome.refusal());
        }
        ShardScatter.requireAnswerable(outcome, strict);
        Outcome<ObjectNode> counts = counted.result();
        Long distinctCount = counts == null || counts.refusal() != null || !counts.missing().isEmpty()
            ? null : DistinctCount.count(jsons(counts), distinct);
        ObjectNode merged = HitMerger.merge(plan.intent(), indexSettings, answers(outcome, distinct));
        if (distinctCount != null) {
          DistinctCount.correct(merged, plan.intent(), distinctCount, indexSettings.maxTotalHits());
        }
        return Reply.json(200, scrubFacets(merged)).withHeaders(outcome.missingHeader());
      });
    });
  }

  private Future<Reply> multiSearch(RoutingContext ctx) {
    ObjectNode body = postBody(ctx);
    if (body == null || !plannable(body)) {
      return IndexRoutes.forwardToOne(fleet, ctx).map(SearchRoutes::clean);
    }
    String auth = clientAuthorization(ctx);
    boolean strict = strict(ctx);
    RoutingSnapshot s = fleet.snapshot();
    List<String> indexes = new ArrayList<>();
    body.get("queries").forEach(q -> indexes.add(q.get("indexUid").textValue()));
    boolean federated = body.hasNonNull("federation");
    if (federated) {
      for (int i = 0; i < body.get("queries").size(); i++) {
        if (body.get("queries").get(i).path("federationOptions").has("remote")) {
          throw MeiliError.invalidRequest("miroir_remote_federation_unsupported", "Inside `.queries[" + i
              + "]`: `federationOptions.remote` is not supported by Miroir: a Miroir cluster is already one"
              + " logical node; query the remote cluster's router separately.").exception();
        }
      }
    }
    return settings.getAll(s, indexes).compose(byIndex -> federated
        ? federatedSearch(s, body, byIndex, auth, strict)
        : plainMultiSearch(s, body, indexes, byIndex, auth, strict));
  }

  private Future<Reply> plainMultiSearch(RoutingSnapshot s, ObjectNode body, List<String> indexes,
      Map<String, IndexSearchSettings> byIndex, String auth, boolean strict) {
    List<ShardSearch> plans = new ArrayList<>();
    for (int i = 0; i < indexes.size(); i++) {
      plans.add(ShardQueryBuilder.search((ObjectNode) body.get("queries").get(i), byIndex.get(indexes.get(i))));
    }
    // One multi-search per node holding every query: placement is the same for every index, so
    // one covering set serves them all, and a node's errors carry Meilisearch's `.queries[i]`.
    return scatter.scatter(s, null, false, (node, shards) -> {
      ObjectNode nodeBody = JSON.objectNode();
      ArrayNode queries = nodeBody.putArray("queries");
      for (int i = 0; i < plans.size(); i++) {
        queries.add(plans.get(i).forNode(shards,
            residency.exclusive(s, indexes.get(i), node, shards, plans.get(i).stamp())));
      }
      return nodeBody;
    }, b -> post("/multi-search", b, auth), ReplicaPreference.affinity(body)).map(outcome -> {
      if (outcome.refusal() != null) {
        return refusal(outcome.refusal());
      }
      ShardScatter.requireAnswerable(outcome, strict);
      List<ObjectNode> merged = new ArrayList<>();
      List<JsonNode> nodeAnswers = jsons(outcome);
      for (int i = 0; i < plans.size(); i++) {
        List<JsonNode> responses = new ArrayList<>();
        for (JsonNode answer : nodeAnswers) {
          responses.add(answer.path("results").get(i));
        }
        merged.add(scrubFacets(HitMerger.merge(plans.get(i).intent(), byIndex.get(indexes.get(i)), responses)));
      }
      return Reply.json(200, MultiSearchMerger.plain(indexes, merged)).withHeaders(outcome.missingHeader());
    });
  }

  private Future<Reply> federatedSearch(RoutingSnapshot s, ObjectNode body,
      Map<String, IndexSearchSettings> byIndex, String auth, boolean strict) {
    FederatedSearch plan = FederatedSearch.plan(body, byIndex);
    return scatter.scatter(s, null, false, (node, shards) -> {
      Map<String, List<Integer>> shardsByIndex = new LinkedHashMap<>();
      plan.indexes().forEach(index -> shardsByIndex.put(index, shards));
      return plan.requestFor(node, shardsByIndex);
    }, request -> post("/multi-search", request.body(), auth), ReplicaPreference.affinity(body)).map(outcome -> {
      if (outcome.refusal() != null) {
        return refusal(outcome.refusal());
      }
      ShardScatter.requireAnswerable(outcome, strict);
      List<MultiSearchMerger.NodeAnswer> answers = new ArrayList<>();
      outcome.answers().forEach(a -> answers.add(new MultiSearchMerger.NodeAnswer(a.request(), json(a.reply()))));
      ObjectNode merged = MultiSearchMerger.federated(plan, answers);
      scrubFacets(merged);
      if (merged.get("facetsByIndex") instanceof ObjectNode facetsByIndex) {
        facetsByIndex.forEach(SearchRoutes::scrubFacetsOfIndex);
      }
      return Reply.json(200, merged).withHeaders(outcome.missingHeader());
    });
  }

  /** Whether a multi-search body has the shape the router plans; anything else a node judges. */
  private static boolean plannable(ObjectNode body) {
    JsonNode queries = body.get("queries");
    if (queries == null || !queries.isArray() || queries.isEmpty()) {
      return false;
    }
    for (JsonNode query : queries) {
      if (!query.isObject() || !query.path("indexUid").isTextual()) {
        return false;
      }
    }
    JsonNode federation = body.get("federation");
    return federation == null || federation.isNull() || federation.isObject();
  }

  private Future<Reply> facetSearch(RoutingContext ctx) {
    ObjectNode body = postBody(ctx);
    if (body == null || !body.path("facetName").isTextual()) {
      return IndexRoutes.forwardToOne(fleet, ctx).map(SearchRoutes::clean);
    }
    String facet = body.get("facetName").textValue();
    if (dev.miroir.router.search.ShardStamp.isStamp(facet)) {
      throw MeiliError.invalidRequest("invalid_facet_search_facet_name",
          "Attribute `" + facet + "` is not facet-searchable. This index does not have configured"
              + " filterable attributes.").exception();
    }
    String auth = clientAuthorization(ctx);
    String index = ctx.pathParam("uid");
    boolean strict = strict(ctx);
    RoutingSnapshot s = fleet.snapshot();
    String path = "/indexes/" + segment(index) + "/facet-search";
    return settings.get(s, index).compose(indexSettings -> scatter.scatter(s, null, false,
            (node, shards) -> ShardQueryBuilder.facetSearch(body, shards, indexSettings.stamp()),
            b -> post(path, b, auth))
        .map(outcome -> {
          if (outcome.refusal() != null) {
            return refusal(outcome.refusal());
          }
          ShardScatter.requireAnswerable(outcome, strict);
          ObjectNode merged = FacetSearchMerger.merge(jsons(outcome), indexSettings.facetOrder(facet),
              indexSettings.maxValuesPerFacet());
          return Reply.json(200, merged).withHeaders(outcome.missingHeader());
        }));
  }

  // ---- similar ------------------------------------------------------------------------------

  /**
   * Only the target's owners hold its vector, and every shard holds candidates: read the vector
   * from an owner, then run a vector search with it on every shard, asking one more hit so the
   * target itself (which Meilisearch leaves out) can be dropped after the merge.
   */
  private Future<Reply> similar(RoutingContext ctx, ObjectNode body) {
    if (body == null || body.get("id") == null || !(body.get("id").isTextual() || body.get("id").isIntegralNumber())
        || !body.path("embedder").isTextual()) {
      return IndexRoutes.forwardToOne(fleet, ctx).map(SearchRoutes::clean);
    }
    String auth = clientAuthorization(ctx);
    String index = ctx.pathParam("uid");
    boolean strict = strict(ctx);
    RoutingSnapshot s = fleet.snapshot();
    String id = body.get("id").asText();
    String embedder = body.get("embedder").textValue();
    Future<NodeReply> target = fromOwner(s, ShardHash.shardOf(id, s.shards()), new NodeCall(HttpMethod.GET,
        "/indexes/" + segment(index) + "/documents/" + segment(id) + "?retrieveVectors=true", null, null, auth));
    Future<NodeReply> indexInfo = fleet.askOne(s, new NodeCall(HttpMethod.GET, "/indexes/" + segment(index),
        null, null, auth));
    Future<IndexSearchSettings> indexSettingsFuture = settings.get(s, index);
    return Future.all(target, indexInfo, indexSettingsFuture).compose(done -> {
      NodeReply doc = target.result();
      if (doc.isClientError()) {
        if (doc.status() == 404 && doc.json().path("code").asText().equals("document_not_found")) {
          return Future.succeededFuture(Reply.error(MeiliError.invalidRequest("not_found_similar_id",
              "Document `" + id + "` not found."), Map.of()));
        }
        return Future.succeededFuture(refusal(doc));
      }
      if (ShardScatter.isFailure(doc)) {
        throw new dev.miroir.router.ApiException(new MeiliError(503, "No owner of the shard of document `"
            + id + "` could answer: " + doc.describe(), "miroir_shards_unavailable", "system"));
      }
      JsonNode vector = firstEmbedding(json(doc).path("_vectors").path(embedder));
      if (vector == null) {
        return IndexRoutes.forwardToOne(fleet, ctx).map(SearchRoutes::clean);
      }
      String primaryKey = indexInfo.result().json().path("primaryKey").asText(null);
      long offset = Math.max(0, natural(body.get("offset"), 0));
      long limit = Math.max(0, natural(body.get("limit"), 20));
      ObjectNode searchBody = JSON.objectNode();
      searchBody.set("vector", vector);
      searchBody.putObject("hybrid").put("embedder", embedder).put("semanticRatio", 1.0);
      for (String copied : List.of("filter", "attributesToRetrieve", "retrieveVectors", "showRankingScore",
          "showRankingScoreDetails", "rankingScoreThreshold")) {
        if (body.has(copied)) {
          searchBody.set(copied, body.get(copied));
        }
      }
      if (primaryKey != null && searchBody.get("attributesToRetrieve") instanceof ArrayNode retrieve
          && !retrieve.toString().contains("\"*\"") && !retrieve.toString().contains("\"" + primaryKey + "\"")) {
        retrieve.add(primaryKey);
      }
      searchBody.put("offset", 0);
      searchBody.put("limit", offset + limit + 1);
      IndexSearchSettings indexSettings = indexSettingsFuture.result();
      ShardSearch plan = ShardQueryBuilder.search(searchBody, indexSettings);
      String path = "/indexes/" + segment(index) + "/search";
      return scatter.scatter(s, null, false, (node, shards) -> plan.forShards(shards), b -> post(path, b, auth))
          .map(outcome -> {
            if (outcome.refusal() != null) {
              return refusal(outcome.refusal());
            }
            ShardScatter.requireAnswerable(outcome, strict);
            ObjectNode merged = HitMerger.merge(plan.intent(), indexSettings, jsons(outcome));
            ArrayNode hits = (ArrayNode) merged.get("hits");
            boolean targetSeen = false;
            ArrayNode kept = JSON.arrayNode();
            for (JsonNode hit : hits) {
              if (primaryKey != null && hit.path(primaryKey).asText().equals(id)) {
                targetSeen = true;
                continue;
              }
              kept.add(hit);
            }
            ObjectNode out = JSON.objectNode();
            ArrayNode page = out.putArray("hits");
            for (int i = (int) Math.min(offset, kept.size()); i < kept.size() && page.size() < limit; i++) {
              page.add(kept.get(i));
            }
            out.put("id", body.get("id").asText()); // Meilisearch echoes the id as a string
            out.set("processingTimeMs", merged.get("processingTimeMs"));
            out.put("limit", limit);
            out.put("offset", offset);
            out.put("estimatedTotalHits", Math.max(0, merged.path("estimatedTotalHits").asLong() - (targetSeen ? 1 : 0)));
            return Reply.json(200, out).withHeaders(outcome.missingHeader());
          });
    });
  }

  /** The first embedding of a retrieved {@code _vectors.<embedder>} ({@code {embeddings: [[...]]}} or arrays). */
  static JsonNode firstEmbedding(JsonNode vectors) {
    JsonNode embeddings = vectors.isObject() ? vectors.get("embeddings") : vectors;
    if (embeddings == null || !embeddings.isArray() || embeddings.isEmpty()) {
      return null;
    }
    return embeddings.get(0).isArray() ? embeddings.get(0) : embeddings;
  }

  // ---- documents ----------------------------------------------------------------------------

  private Future<Reply> getDocument(RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    String index = ctx.pathParam("uid");
    String id = ctx.pathParam("id");
    RoutingSnapshot s = fleet.snapshot();
    int shard = ShardHash.shardOf(id, s.shards());
    return fromOwner(s, shard, new NodeCall(HttpMethod.GET, "/indexes/" + segment(index) + "/documents/"
        + segment(id) + Endpoints.query(ctx), null, null, auth)).map(reply -> {
          if (ShardScatter.isFailure(reply)) {
            Map<String, String> header = Map.of(ShardScatter.MISSING_SHARDS_HEADER, Integer.toString(shard));
            throw new dev.miroir.router.ApiException(new MeiliError(503, "No owner of shard " + shard
                + " could answer: " + reply.describe(), "miroir_shards_unavailable", "system"), header);
          }
          if (!reply.isSuccess()) {
            return refusal(reply);
          }
          JsonNode document = json(reply);
          ReservedFields.stripFromDocument(document);
          return Reply.json(200, document);
        });
  }

  /** Asks the readable owners of a shard, best first, until one answers (a 4xx is an answer). */
  private Future<NodeReply> fromOwner(RoutingSnapshot s, int shard, NodeCall call) {
    List<String> owners = new ArrayList<>();
    for (String owner : s.readOwners(shard)) {
      TopologyNode node = s.nodes().get(owner);
      if (node != null && node.state().isReadable()) {
        owners.add(owner);
      }
    }
    List<String> ordered = ReplicaPreference.order(owners, load.snapshot());
    Set<String> coolingDown = load.coolingDown();
    // A replica missing acknowledged writes would answer 404 for a document its peers hold: last.
    Set<String> stale = fleet.behindNodes(s);
    List<String> tryOrder = new ArrayList<>(ordered.stream()
        .filter(n -> !coolingDown.contains(n) && !stale.contains(n)).toList());
    ordered.stream().filter(n -> stale.contains(n) && !coolingDown.contains(n)).forEach(tryOrder::add);
    ordered.stream().filter(coolingDown::contains).forEach(tryOrder::add);
    return ask(s, tryOrder, 0, call, NodeReply.unreachable("-", "shard " + shard + " has no readable owner"));
  }

  private Future<NodeReply> ask(RoutingSnapshot s, List<String> nodes, int i, NodeCall call, NodeReply last) {
    if (i >= nodes.size()) {
      return Future.succeededFuture(last);
    }
    String node = nodes.get(i);
    long started = load.started(node);
    return fleet.send(s, node, call).compose(reply -> {
      load.finished(node, started, ShardScatter.isFailure(reply));
      return ShardScatter.isFailure(reply) ? ask(s, nodes, i + 1, call, reply) : Future.succeededFuture(reply);
    });
  }

  /**
   * Lists documents in the order {@link DocumentPage} defines. Without {@code sort}: first every
   * shard's total (limit 0), then only the shards the page overlaps, each for its own slice. With
   * {@code sort}: every node its first offset + limit, merged by the sort values.
   */
  private Future<Reply> listDocuments(RoutingContext ctx, ObjectNode body) {
    if (body == null) {
      return IndexRoutes.forwardToOne(fleet, ctx).map(SearchRoutes::clean);
    }
    String auth = clientAuthorization(ctx);
    String index = ctx.pathParam("uid");
    boolean strict = strict(ctx);
    RoutingSnapshot s = fleet.snapshot();
    String path = "/indexes/" + segment(index) + "/documents/fetch";
    long offset = natural(body.get("offset"), 0);
    long limit = natural(body.get("limit"), 20);
    if (offset < 0 || limit < 0) {
      return IndexRoutes.forwardToOne(fleet, ctx).map(SearchRoutes::clean);
    }
    JsonNode sort = body.get("sort");
    return settings.get(s, index).compose(indexSettings -> sort != null && sort.isArray() && !sort.isEmpty()
        ? sortedDocuments(s, body, path, auth, strict, offset, limit, indexSettings.stamp())
        : listDocuments(s, body, path, auth, strict, offset, limit, indexSettings.stamp()));
  }

  private Future<Reply> listDocuments(RoutingSnapshot s, ObjectNode body, String path, String auth,
      boolean strict, long offset, long limit, ShardStamp stamp) {
    return scatter.scatter(s, null, true, (node, shards) -> {
      ObjectNode count = body.deepCopy();
      count.set("filter", ShardFilter.restrict(body.get("filter"), shards, stamp));
      count.put("offset", 0);
      count.put("limit", 0);
      return count;
    }, b -> post(path, b, auth)).compose(counted -> {
      if (counted.refusal() != null) {
        return Future.succeededFuture(refusal(counted.refusal()));
      }
      ShardScatter.requireAnswerable(counted, strict);
      TreeMap<Integer, Long> totals = new TreeMap<>();
      counted.answers().forEach(a -> totals.put(a.shards().get(0), a.reply().json().path("total").asLong()));
      long total = totals.values().stream().mapToLong(Long::longValue).sum();
      Map<Integer, DocumentPage.Piece> pieces = new TreeMap<>();
      DocumentPage.window(totals, offset, limit).forEach(p -> pieces.put(p.shard(), p));
      if (pieces.isEmpty()) {
        return Future.succeededFuture(Reply.json(200, DocumentPage.page(List.of(), offset, limit, total))
            .withHeaders(counted.missingHeader()));
      }
      return scatter.scatter(s, pieces.keySet(), true, (node, shards) -> {
        DocumentPage.Piece piece = pieces.get(shards.get(0));
        ObjectNode slice = body.deepCopy();
        slice.set("filter", ShardFilter.restrict(body.get("filter"), shards, stamp));
        slice.put("offset", piece.offset());
        slice.put("limit", piece.limit());
        return slice;
      }, b -> post(path, b, auth)).map(fetched -> {
        if (fetched.refusal() != null) {
          return refusal(fetched.refusal());
        }
        ShardScatter.requireAnswerable(fetched, strict);
        TreeMap<Integer, JsonNode> byShard = new TreeMap<>();
        fetched.answers().forEach(a -> byShard.put(a.shards().get(0), json(a.reply()).path("results")));
        List<JsonNode> documents = new ArrayList<>();
        byShard.values().forEach(results -> results.forEach(documents::add));
        documents.forEach(ReservedFields::stripFromDocument);
        Set<String> missing = new LinkedHashSet<>();
        counted.missing().forEach(m -> missing.add(Integer.toString(m)));
        fetched.missing().forEach(m -> missing.add(Integer.toString(m)));
        Map<String, String> header = missing.isEmpty() ? Map.of()
            : Map.of(ShardScatter.MISSING_SHARDS_HEADER, String.join(",", missing));
        return Reply.json(200, DocumentPage.page(documents, offset, limit, total)).withHeaders(header);
      });
    });
  }

  private Future<Reply> sortedDocuments(RoutingSnapshot s, ObjectNode body, String path, String auth,
      boolean strict, long offset, long limit, ShardStamp stamp) {
    List<String> sort = new ArrayList<>();
    body.get("sort").forEach(rule -> sort.add(rule.asText()));
    Set<String> added = new LinkedHashSet<>();
    ObjectNode template = body.deepCopy();
    if (body.get("fields") instanceof ArrayNode fields && !fields.toString().contains("\"*\"")) {
      ArrayNode widened = fields.deepCopy();
      for (String rule : sort) {
        String field = rule.contains(":") ? rule.substring(0, rule.lastIndexOf(':')) : rule;
        if (!widened.toString().contains("\"" + field + "\"")) {
          widened.add(field);
          added.add(field);
        }
      }
      template.set("fields", widened);
    }
    template.put("offset", 0);
    template.put("limit", Math.min(Integer.MAX_VALUE, offset + limit));
    return scatter.scatter(s, null, false, (node, shards) -> {
      ObjectNode nodeBody = template.deepCopy();
      nodeBody.set("filter", ShardFilter.restrict(body.get("filter"), shards, stamp));
      return nodeBody;
    }, b -> post(path, b, auth)).map(outcome -> {
      if (outcome.refusal() != null) {
        return refusal(outcome.refusal());
      }
      ShardScatter.requireAnswerable(outcome, strict);
      List<JsonNode> lists = new ArrayList<>();
      long total = 0;
      for (Answer<ObjectNode> answer : outcome.answers()) {
        JsonNode json = json(answer.reply());
        lists.add(json.path("results"));
        total += json.path("total").asLong();
      }
      List<ObjectNode> documents = DocumentPage.mergeSorted(lists, sort, offset, limit);
      documents.forEach(d -> {
        ReservedFields.stripFromDocument(d);
        d.remove(added);
      });
      return Reply.json(200, DocumentPage.page(documents, offset, limit, total)).withHeaders(outcome.missingHeader());
    });
  }

  // ---- helpers ------------------------------------------------------------------------------

  /**
   * Settings written through the router (or an index deleted or swapped) drop the cached search
   * settings when the write arrives and again when it is answered; see {@link SearchSettingsCache}.
   * Runs ahead of every other route and always passes the request on.
   */
  private void invalidateOnSettingsWrites(Router router) {
    for (String path : List.of("/indexes/:uid/settings", "/indexes/:uid/settings/*", "/indexes/:uid")) {
      router.route(path).order(-1).handler(ctx -> {
        if (ctx.request().method() != HttpMethod.GET) {
          String uid = ctx.pathParam("uid");
          settings.invalidate(uid);
          ctx.addEndHandler(done -> settings.invalidate(uid));
        }
        ctx.next();
      });
    }
    router.route(HttpMethod.POST, "/swap-indexes").order(-1).handler(ctx -> {
      settings.invalidateAll();
      ctx.addEndHandler(done -> settings.invalidateAll());
      ctx.next();
    });
  }

  /** A non-negative integer, {@code absent} when missing or null, -1 when invalid. */
  private static long natural(JsonNode value, long absent) {
    if (value == null || value.isNull()) {
      return absent;
    }
    return value.canConvertToExactIntegral() && value.longValue() >= 0 ? value.longValue() : -1;
  }

  private static boolean strict(RoutingContext ctx) {
    return "true".equalsIgnoreCase(ctx.request().getHeader(ShardScatter.STRICT_HEADER));
  }

  /** The JSON object of a POST body, or null when the router should let a node judge it. */
  private static ObjectNode postBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    Buffer body = bodyOrNull(ctx);
    if (body == null || type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      return null;
    }
    JsonNode checked = dev.miroir.router.admission.BodyGuard.parsedBody(ctx);
    if (checked != null) {
      // Admission read these bytes already (strictly, with exact decimals, as here): not twice.
      return checked instanceof ObjectNode object ? object : null;
    }
    try {
      return DocumentPayloads.JSON.readTree(body.getBytes()) instanceof ObjectNode object ? object : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static NodeCall post(String path, ObjectNode body, String auth) {
    return new NodeCall(HttpMethod.POST, path, Reply.bytes(body), "application/json", auth);
  }

  /**
   * Node answers are read keeping every number as written: documents come back to the client
   * byte-for-byte as a node would return them ({@code 158.0} stays {@code 158.0}).
   */
  private static final com.fasterxml.jackson.databind.ObjectMapper EXACT = com.fasterxml.jackson.databind.json.JsonMapper
      .builder().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      // Every score, score detail, price and coordinate of every hit is a decimal: parse them with
      // Jackson's fast parsers (same values, less CPU).
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();

  static JsonNode json(NodeReply reply) {
    try {
      return reply.body() == null || reply.body().length() == 0
          ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
          : EXACT.readTree(reply.body().getBytes());
    } catch (java.io.IOException e) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
  }

  /** Node search answers for {@link HitMerger}, their hits read lazily ({@link NodeAnswer}). */
  private static List<JsonNode> answers(Outcome<?> outcome, String distinct) {
    List<JsonNode> out = new ArrayList<>();
    for (Answer<?> a : outcome.answers()) {
      NodeReply reply = a.reply();
      try {
        out.add(NodeAnswer.read(EXACT, reply.body(), distinct));
      } catch (java.io.IOException | RuntimeException e) {
        out.add(json(reply));
      }
    }
    return out;
  }

  private static List<JsonNode> jsons(Outcome<?> outcome) {
    List<JsonNode> out = new ArrayList<>();
    outcome.answers().forEach(a -> out.add(json(a.reply())));
    return out;
  }

  /** A node's refusal, passed on without the router's shard field in its message. */
  static Reply refusal(NodeReply reply) {
    return clean(Reply.of(reply));
  }

  /** Removes every mention of the shard field from an error body (lists of filterable attributes). */
  static Reply clean(Reply reply) {
    if (reply.status() < 400 || reply.body() == null) {
      return reply;
    }
    String text = reply.body().toString();
    if (!text.contains(ReservedFields.SHARD)) {
      return reply;
    }
    JsonNode json = IndexRoutes.parse(reply.body());
    if (json instanceof ObjectNode error && error.path("message").isTextual()) {
      error.put("message", withoutShardMentions(error.get("message").textValue()));
      return new Reply(reply.status(), reply.headers(), Buffer.buffer(error.toString()));
    }
    return reply;
  }

  static String withoutShardMentions(String message) {
    return dev.miroir.router.ErrorTexts.forClient(message);
  }

  private static ObjectNode scrubFacets(ObjectNode result) {
    for (String field : List.of("facetDistribution", "facetStats")) {
      if (result.get(field) instanceof ObjectNode facets) {
        facets.remove(ShardStamp.FIELDS);
      }
    }
    return result;
  }

  private static void scrubFacetsOfIndex(JsonNode facets) {
    for (String field : List.of("distribution", "stats")) {
      if (facets.get(field) instanceof ObjectNode values) {
        values.remove(ShardStamp.FIELDS);
      }
    }
  }
}
