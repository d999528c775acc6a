package dev.miroir.router.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The filters of {@code GET /tasks}, {@code GET /batches}, {@code POST /tasks/cancel} and
 * {@code DELETE /tasks}, applied to router tasks as Meilisearch 1.21 applies them to its own. Pure.
 *
 * <p>Parsing is lenient on purpose: the router first lets a node judge the same query string (which
 * gives Meilisearch's exact {@code invalid_task_*} errors), so only valid queries arrive here.
 *
 * <p>Dates follow Meilisearch: bounds are exclusive; a date without a time means the start of that
 * day for {@code before*} and the start of the next day for {@code after*}.
 *
 * <p>A router task is its own batch ({@code batchUid} = its uid once it started): Meilisearch batches
 * are each node's private scheduling, and one router task spans several nodes' batches.
 */
public record TaskQuery(
    Set<Long> uids,
    Set<Long> batchUids,
    Set<Long> canceledBy,
    Set<String> types,
    Set<String> statuses,
    Set<String> indexUids,
    Instant afterEnqueuedAt,
    Instant beforeEnqueuedAt,
    Instant afterStartedAt,
    Instant beforeStartedAt,
    Instant afterFinishedAt,
    Instant beforeFinishedAt,
    Integer limit,
    Long from,
    boolean reverse) {

  /** The filters cancel and delete accept, in the order Meilisearch lists them. */
  public static final List<String> FILTERS = List.of("uids", "batchUids", "canceledBy", "types", "statuses",
      "indexUids", "afterEnqueuedAt", "beforeEnqueuedAt", "afterStartedAt", "beforeStartedAt", "afterFinishedAt",
      "beforeFinishedAt");

  /** The parameters {@code GET /tasks} and {@code GET /batches} accept, in Meilisearch's order. */
  public static final List<String> LIST_PARAMETERS = List.of("limit", "from", "reverse", "batchUids", "uids",
      "canceledBy", "types", "statuses", "indexUids", "afterEnqueuedAt", "beforeEnqueuedAt", "afterStartedAt",
      "beforeStartedAt", "afterFinishedAt", "beforeFinishedAt");

  public static final int DEFAULT_LIMIT = 20;

  /** @param params the query parameters, last value of each name */
  public static TaskQuery parse(Map<String, String> params) {
    return new TaskQuery(
        numbers(params.get("uids")),
        numbers(params.get("batchUids")),
        numbers(params.get("canceledBy")),
        words(params.get("types")),
        words(params.get("statuses")),
        words(params.get("indexUids")),
        date(params.get("afterEnqueuedAt"), true),
        date(params.get("beforeEnqueuedAt"), false),
        date(params.get("afterStartedAt"), true),
        date(params.get("beforeStartedAt"), false),
        date(params.get("afterFinishedAt"), true),
        date(params.get("beforeFinishedAt"), false),
        params.containsKey("limit") ? Integer.valueOf(params.get("limit").trim()) : null,
        params.containsKey("from") ? Long.valueOf(params.get("from").trim()) : null,
        "true".equals(params.get("reverse")));
  }

  /** Whether a filter needs the task's current view (status, dates other than enqueuedAt, canceledBy). */
  public boolean needsView() {
    return statuses != null || canceledBy != null || batchUids != null || afterStartedAt != null
        || beforeStartedAt != null || afterFinishedAt != null || beforeFinishedAt != null;
  }

  /** Filters that the stored task alone answers. */
  public boolean matchesStored(RouterTask task) {
    return (uids == null || uids.contains(task.uid()))
        && (types == null || types.contains(task.type()))
        && (indexUids == null || (task.indexUid() != null && indexUids.contains(task.indexUid())))
        && within(instant(task.enqueuedAt()), afterEnqueuedAt, beforeEnqueuedAt);
  }

  /** Every filter, against the task's client view. */
  public boolean matchesView(JsonNode view) {
    return (statuses == null || statuses.contains(view.path("status").asText()))
        && (batchUids == null || (view.path("batchUid").canConvertToLong()
            && batchUids.contains(view.path("batchUid").asLong())))
        && (canceledBy == null || (view.path("canceledBy").canConvertToLong()
            && canceledBy.contains(view.path("canceledBy").asLong())))
        && within(instant(view.path("startedAt").asText(null)), afterStartedAt, beforeStartedAt)
        && within(instant(view.path("finishedAt").asText(null)), afterFinishedAt, beforeFinishedAt);
  }

  /** A page of already-filtered uids, highest first (or lowest first with {@code reverse}). */
  public record Page(List<Long> uids, Long from, Long next) {}

  public Page page(List<Long> matchingDescending) {
    List<Long> ordered = new ArrayList<>(matchingDescending);
    if (reverse) {
      java.util.Collections.reverse(ordered);
    }
    int start = 0;
    if (from != null) {
      while (start < ordered.size()
          && (reverse ? ordered.get(start) < from : ordered.get(start) > from)) {
        start++;
      }
    }
    int size = limit == null ? DEFAULT_LIMIT : limit;
    int end = (int) Math.min(ordered.size(), (long) start + size);
    List<Long> page = ordered.subList(start, end);
    return new Page(List.copyOf(page), page.isEmpty() ? null : page.get(0),
        end < ordered.size() ? ordered.get(end) : null);
  }

  private static boolean within(Instant value, Instant after, Instant before) {
    if (after == null && before == null) {
      return true;
    }
    if (value == null) {
      return false;
    }
    return (after == null || value.isAfter(after)) && (before == null || value.isBefore(before));
  }

  static Instant instant(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Set<Long> numbers(String value) {
    Set<String> words = words(value);
    return words == null ? null : words.stream().map(Long::valueOf).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** A comma-separated list; null (no filter) when absent or {@code *}. */
  static Set<String> words(String value) {
    if (value == null) {
      return null;
    }
    Set<String> out = Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
    return out.contains("*") ? null : out;
  }

  private static Instant date(String value, boolean after) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    try {
      LocalDate day = LocalDate.parse(v);
      return (after ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (RuntimeException notADate) {
      return OffsetDateTime.parse(v).toInstant();
    }
  }
}
