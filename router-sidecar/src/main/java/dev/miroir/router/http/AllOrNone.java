package dev.miroir.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A synchronous change (API keys, experimental features, chat settings) applied on every node or on
 * none.
 *
 * <p><b>Authorisation and validation first:</b> one node (the lead) gets the change alone; its
 * refusal (401, 403, 400...) is the answer and no other node saw the change. Nodes share their keys
 * and settings, so what the lead accepts the others accept. <b>Then the rest</b>, all at once. If one
 * of them still refuses or cannot be reached, the change is <b>undone</b> on the nodes that applied it
 * (with the master key, from the state read before the change) and the client gets the refusal or a
 * 503: undo rather than repair, because these changes are synchronous (there is no task a node could
 * apply later) and a key that exists on some nodes only is exactly the half-applied state clients
 * cannot work with.
 */
final class AllOrNone {

  private AllOrNone() {}

  /**
   * @param before what to read (master key) before changing, to undo from; null when nothing is needed
   * @param undo the call that reverts the change on a node, from the state read before (null when the
   *     thing did not exist); null when it cannot be undone
   */
  static Future<Reply> apply(Fleet fleet, NodeCall call, NodeCall before, Function<JsonNode, NodeCall> undo) {
    RoutingSnapshot s = fleet.snapshot();
    Future<JsonNode> prior = before == null ? Future.succeededFuture(null)
        : fleet.askOne(s, before).map(r -> r.isSuccess() ? r.json() : null);
    return prior.compose(state -> {
      List<String> order = new ArrayList<>();
      s.broadcastNodes().stream().filter(n -> s.node(n).state().isReadable()).forEach(order::add);
      s.broadcastNodes().stream().filter(n -> !order.contains(n)).forEach(order::add);
      return lead(fleet, s, call, order, 0, new LinkedHashMap<>()).compose(leadReplies -> {
        NodeReply leadReply = leadReplies.values().stream().filter(NodeReply::isSuccess).findFirst().orElse(null);
        if (leadReply == null) {
          NodeReply refusal = leadReplies.values().stream().filter(NodeReply::isClientError).findFirst().orElse(null);
          return Future.succeededFuture(refusal != null ? Reply.of(refusal)
              : Reply.error(MeiliError.nodeUnreachable("No node could apply the change ("
                  + leadReplies.values().stream().map(NodeReply::describe).collect(Collectors.joining(", "))
                  + "); nothing was changed. Retry."), Map.of()));
        }
        Map<String, NodeCall> rest = new LinkedHashMap<>();
        s.broadcastNodes().stream().filter(n -> !leadReplies.containsKey(n)).forEach(n -> rest.put(n, call));
        return fleet.sendEach(s, rest).compose(others -> {
          List<NodeReply> failed = others.values().stream().filter(r -> !r.isSuccess()).toList();
          // Nodes tried as lead that failed without answering are missing the change too.
          List<NodeReply> missed = new ArrayList<>(failed);
          leadReplies.values().stream().filter(r -> !r.isSuccess()).forEach(missed::add);
          if (missed.isEmpty()) {
            return Future.succeededFuture(Reply.of(leadReply));
          }
          List<String> applied = new ArrayList<>();
          applied.add(leadReply.nodeId());
          others.values().stream().filter(NodeReply::isSuccess).map(NodeReply::nodeId).forEach(applied::add);
          Map<String, NodeCall> undoCalls = new LinkedHashMap<>();
          NodeCall revert = undo == null ? null : undo.apply(state);
          if (revert != null) {
            applied.forEach(n -> undoCalls.put(n, revert));
          }
          Map<String, String> headers = Map.of(Fleet.LATE_NODES_HEADER,
              missed.stream().map(NodeReply::nodeId).collect(Collectors.joining(",")));
          return fleet.sendEach(s, undoCalls).map(undone -> {
            NodeReply refusal = missed.stream().filter(NodeReply::isClientError).findFirst().orElse(null);
            if (refusal != null) {
              return Reply.of(refusal).withHeaders(headers);
            }
            boolean reverted = revert != null && undone.values().stream().allMatch(NodeReply::isSuccess);
            return Reply.error(MeiliError.nodeUnreachable("The change did not reach every node ("
                + missed.stream().map(NodeReply::describe).collect(Collectors.joining(", ")) + "); "
                + (reverted ? "it was undone on the nodes that had applied it"
                    : "undoing it failed on some nodes: repeat the request once every node answers")
                + ". Retry once the nodes are back."), headers);
          });
        });
      });
    });
  }

  /** Tries nodes in order until one answers (a 4xx is an answer); returns every reply so far. */
  private static Future<Map<String, NodeReply>> lead(Fleet fleet, RoutingSnapshot s, NodeCall call, List<String> order,
      int i, Map<String, NodeReply> acc) {
    if (i >= order.size()) {
      return Future.succeededFuture(acc);
    }
    TopologyNode node = s.node(order.get(i));
    return fleet.send(s, node.id(), call).compose(reply -> {
      acc.put(node.id(), reply);
      return reply.status() == 0 || reply.status() >= 500
          ? lead(fleet, s, call, order, i + 1, acc)
          : Future.succeededFuture(acc);
    });
  }
}
