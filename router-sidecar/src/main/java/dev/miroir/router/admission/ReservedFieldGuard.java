package dev.miroir.router.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.router.ApiException;
import dev.miroir.router.MeiliError;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.write.ReservedFields;
import java.util.List;
import java.util.Set;

/**
 * Keeps {@code _miroir_shard} out of clients' hands: a request that names it where a node would
 * look it up as an attribute (filter, facets, sort, distinct, attributes to search on, facet name) is
 * refused with the error a node gives for an attribute that is not filterable, sortable or
 * searchable, as if the field did not exist; a settings change or an edit function that names it is
 * refused with {@code miroir_reserved_field}, since a node would accept it and the router must not.
 * Names in {@code attributesToRetrieve}, {@code attributesToHighlight}, {@code attributesToCrop} and
 * {@code fields} are left alone: a node ignores unknown names there, and the router strips the field
 * from every answer.
 *
 * <p>A delete or an edit whose filter names it is not refused here: a node accepts such a task and
 * fails it, so {@link FilterOnReservedField} tells the caller to do the same.
 */
public final class ReservedFieldGuard {

  /** Every stamp name contains it ({@link ShardStamp}), so a value that does not names neither. */
  private static final String SHARD = ReservedFields.SHARD;

  /** A 202-then-failed case: a node enqueues the task and fails it with {@code error}. */
  public static final class FilterOnReservedField extends RuntimeException {
    private final MeiliError error;

    FilterOnReservedField(MeiliError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    public MeiliError error() {
      return error;
    }
  }

  private static final Set<String> SETTINGS_NAMING_ATTRIBUTES = Set.of("searchableAttributes",
      "displayedAttributes", "filterableAttributes", "sortableAttributes", "distinctAttribute", "rankingRules",
      "faceting", "localizedAttributes", "searchCutoffMs", "embedders");

  private ReservedFieldGuard() {}

  /**
   * @throws ApiException a refusal a node would give at once
   * @throws FilterOnReservedField the task a node would accept and fail
   */
  public static boolean check(String method, List<String> s, JsonNode body) {
    int n = s.size();
    boolean[] rewritten = {false};
    if (n == 1 && s.get(0).equals("multi-search")) {
      JsonNode queries = body.path("queries");
      for (int i = 0; i < queries.size(); i++) {
        try {
          rewritten[0] |= checkSearch(queries.get(i));
        } catch (ApiException e) {
          MeiliError inner = e.error();
          throw new MeiliError(inner.status(), "Inside `.queries[" + i + "]`: " + inner.message(), inner.code(),
              inner.type()).exception();
        }
      }
      JsonNode facetsByIndex = body.path("federation").path("facetsByIndex");
      facetsByIndex.forEach(list -> {
        if (mentions(list)) {
          throw notFilterable("invalid_multi_search_facets", "facet distribution");
        }
      });
      return rewritten[0];
    }
    if (n < 3 || !s.get(0).equals("indexes")) {
      return false;
    }
    String sub = s.get(2);
    if (sub.equals("search") && n == 3) {
      return checkSearch(body);
    } else if (sub.equals("similar") && n == 3) {
      if (mentions(body.get("filter"))) {
        throw notFilterable("invalid_similar_filter", "filter");
      }
    } else if (sub.equals("facet-search") && n == 3) {
      String facetName = body.path("facetName").asText(null);
      if (ShardStamp.isStamp(facetName)) {
        throw MeiliError.invalidRequest("invalid_facet_search_facet_name", "Attribute `" + facetName
            + "` is not facet-searchable. This index does not have configured filterable attributes.").exception();
      }
      if (mentions(body.get("filter"))) {
        throw notFilterable("invalid_facet_search_filter", "filter");
      }
      return false;
    } else if (sub.equals("documents") && n == 4) {
      switch (s.get(3)) {
        case "fetch" -> {
          if (mentions(body.get("filter"))) {
            throw notFilterable("invalid_document_filter", "filter");
          }
          if (mentions(body.get("sort"))) {
            throw notSortable("invalid_document_sort");
          }
        }
        case "edit" -> {
          if (mentions(body.get("function")) || mentions(body.get("context"))) {
            throw MeiliError.reservedField(SHARD).exception();
          }
          if (mentions(body.get("filter"))) {
            throw new FilterOnReservedField(notFilterableError("invalid_document_filter", "filter"));
          }
        }
        case "delete" -> {
          if (mentions(body.get("filter"))) {
            throw new FilterOnReservedField(notFilterableError("invalid_document_filter", "filter"));
          }
        }
        default -> {
          // delete-batch names ids, not attributes
        }
      }
    } else if (sub.equals("settings") && !method.equals("GET") && !method.equals("DELETE")) {
      if (n == 3) {
        body.fieldNames().forEachRemaining(name -> {
          if (SETTINGS_NAMING_ATTRIBUTES.contains(name) && mentions(body.get(name))) {
            throw MeiliError.reservedField(SHARD).exception();
          }
        });
        JsonNode filterable = body.get("filterableAttributes");
        if (filterable != null && !filterable.isNull() && !filterable.isArray()) {
          throw wrongType("Invalid value type at `.filterableAttributes`", filterable);
        }
      } else if (n == 4) {
        if (mentions(body)) {
          throw MeiliError.reservedField(SHARD).exception();
        }
        if (s.get(3).equals("filterable-attributes") && !body.isNull() && !body.isArray()) {
          throw wrongType("Invalid value type", body);
        }
      }
    }
    return false;
  }

  /** Returns whether the query was rewritten. */
  private static boolean checkSearch(JsonNode q) {
    if (q == null || !q.isObject()) {
      return false;
    }
    if (mentions(q.get("filter"))) {
      throw notFilterable("invalid_search_filter", "filter");
    }
    if (mentions(q.get("facets"))) {
      throw notFilterable("invalid_search_facets", "facet distribution");
    }
    if (mentions(q.get("sort"))) {
      throw notSortable("invalid_search_sort");
    }
    if (mentions(q.get("distinct"))) {
      throw MeiliError.invalidRequest("invalid_search_distinct", "Attribute `" + SHARD + "` is not filterable"
          + " and thus, cannot be used as distinct attribute.").exception();
    }
    JsonNode searchOn = q.get("attributesToSearchOn");
    if (searchOn != null && searchOn.isArray() && mentions(searchOn)) {
      // A node accepts an attribute it does not have and finds nothing in it; nodes of a cluster do
      // have this one, so it is renamed to one they do not have.
      com.fasterxml.jackson.databind.node.ArrayNode renamed = ((com.fasterxml.jackson.databind.node.ObjectNode) q)
          .putArray("attributesToSearchOn");
      searchOn.forEach(a -> renamed.add(a.isTextual() && ShardStamp.isStamp(a.textValue())
          ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(ABSENT) : a));
      return true;
    }
    return false;
  }

  /** An attribute no document has: what the reserved field is to a client. */
  static final String ABSENT = "_miroir_absent";

  /** The GET forms of search, similar and document listing, whose parameters name attributes too. */
  public static void checkQuery(List<String> s, io.vertx.core.MultiMap params) {
    if (s.size() != 3 || !s.get(0).equals("indexes")) {
      return;
    }
    switch (s.get(2)) {
      case "search" -> {
        if (named(params, "filter")) {
          throw notFilterable("invalid_search_filter", "filter");
        }
        if (named(params, "facets")) {
          throw notFilterable("invalid_search_facets", "facet distribution");
        }
        if (named(params, "sort")) {
          throw notSortable("invalid_search_sort");
        }
        if (named(params, "distinct")) {
          throw MeiliError.invalidRequest("invalid_search_distinct", "Attribute `" + SHARD + "` is not filterable"
              + " and thus, cannot be used as distinct attribute.").exception();
        }
      }
      case "similar" -> {
        if (named(params, "filter")) {
          throw notFilterable("invalid_similar_filter", "filter");
        }
      }
      case "documents" -> {
        if (named(params, "filter")) {
          throw notFilterable("invalid_document_filter", "filter");
        }
        if (named(params, "sort")) {
          throw notSortable("invalid_document_sort");
        }
      }
      default -> {
        // no attribute names in other GET parameters
      }
    }
  }

  private static boolean named(io.vertx.core.MultiMap params, String name) {
    for (String value : params.getAll(name)) {
      if (value.contains(SHARD)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a client value names the reserved field anywhere (a filter string, a list, nested). */
  static boolean mentions(JsonNode value) {
    if (value == null || value.isNull()) {
      return false;
    }
    if (value.isTextual()) {
      return value.textValue().contains(SHARD);
    }
    if (value.isArray() || value.isObject()) {
      for (JsonNode element : value) {
        if (mentions(element)) {
          return true;
        }
      }
      if (value.isObject()) {
        for (var it = value.fieldNames(); it.hasNext(); ) {
          if (it.next().contains(SHARD)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static ApiException notFilterable(String code, String where) {
    return notFilterableError(code, where).exception();
  }

  private static MeiliError notFilterableError(String code, String where) {
    return MeiliError.invalidRequest(code, "Attribute `" + SHARD + "` is not filterable. The " + where
        + " names an attribute this index does not have.");
  }

  private static ApiException notSortable(String code) {
    return MeiliError.invalidRequest(code, "Attribute `" + SHARD + "` is not sortable. The sort names an attribute"
        + " this index does not have.").exception();
  }

  private static ApiException wrongType(String prefix, JsonNode found) {
    String kind = found.isTextual() ? "a string" : found.isNumber() ? "a positive integer" : found.isBoolean()
        ? "a boolean" : "a map";
    return MeiliError.invalidRequest("invalid_settings_filterable_attributes", prefix
        + ": expected an array, but found " + kind + ": `" + found + "`").exception();
  }
}
