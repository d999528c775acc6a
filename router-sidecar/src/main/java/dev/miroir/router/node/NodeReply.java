package dev.miroir.router.node;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.miroir.router.write.DocumentPayloads;
import dev.miroir.router.write.QuorumRule.NodeOutcome;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.util.Objects;

/**
 * What one node answered, or why it did not.
 *
 * <p>A write's 202 is read once for the three fields the router keeps of it ({@link #taskUid},
 * {@link #taskType}, {@link #enqueuedAt}), by Jackson's streaming parser and without a tree: the
 * dispatcher and the router task read them from every copy's answer, which was three trees per copy.
 */
public final class NodeReply {

  private final String nodeId;
  private final int status;
  private final Buffer body;
  private final String problem;
  private Enqueued enqueued;

  /**
   * @param nodeId the node asked
   * @param status HTTP status, or 0 when the node could not be reached or timed out
   * @param body response body (empty when unreachable)
   * @param problem why the node could not be reached, else null
   */
  public NodeReply(String nodeId, int status, Buffer body, String problem) {
    this.nodeId = nodeId;
    this.status = status;
    this.body = body;
    this.problem = problem;
  }

  public static NodeReply unreachable(String nodeId, String problem) {
    return new NodeReply(nodeId, 0, Buffer.buffer(), problem);
  }

  public String nodeId() {
    return nodeId;
  }

  public int status() {
    return status;
  }

  public Buffer body() {
    return body;
  }

  public String problem() {
    return problem;
  }

  public boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  public boolean isClientError() {
    return status >= 400 && status < 500;
  }

  /** What this answer means for a write: decided in one place, {@link dev.miroir.router.write.CopyOutcome}. */
  public NodeOutcome outcome() {
    return dev.miroir.router.write.CopyOutcome.of(this).forQuorum();
  }

  public JsonNode json() {
    if (body == null || body.length() == 0) {
      return MissingNode.getInstance();
    }
    try (JsonParser p = parser(body)) {
      JsonNode tree = DocumentPayloads.JSON.readTree(p);
      return tree == null ? MissingNode.getInstance() : tree;
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  /** The answer's top-level {@code taskUid} when it is a number (Meilisearch's task summary), else {@code absent}. */
  public long taskUid(long absent) {
    Enqueued e = enqueued();
    return e.hasTaskUid ? e.taskUid : absent;
  }

  /** The answer's top-level {@code type}, as {@code json().path("type").asText(null)} reads it. */
  public String taskType() {
    return enqueued().type;
  }

  /** The answer's top-level {@code enqueuedAt}, as {@code json().path("enqueuedAt").asText(null)} reads it. */
  public String enqueuedAt() {
    return enqueued().enqueuedAt;
  }

  private Enqueued enqueued() {
    Enqueued e = enqueued;
    if (e == null) {
      e = Enqueued.read(body);
      enqueued = e;
    }
    return e;
  }

  /** The fields of a node's task summary (its 202) that the router keeps. */
  private record Enqueued(boolean hasTaskUid, long taskUid, String type, String enqueuedAt) {

    static final Enqueued NONE = new Enqueued(false, 0, null, null);

    static Enqueued read(Buffer body) {
      if (body == null || body.length() == 0) {
        return NONE;
      }
      try (JsonParser p = parser(body)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return NONE;
        }
        boolean hasTaskUid = false;
        long taskUid = 0;
        String type = null;
        String enqueuedAt = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
            // A container reads as no number and as "" (JsonNode.asLong / asText).
            switch (name) {
              case "taskUid" -> hasTaskUid = false;
              case "type" -> type = "";
              case "enqueuedAt" -> enqueuedAt = "";
              default -> { }
            }
            continue;
          }
          switch (name) {
            case "taskUid" -> {
              // Meilisearch writes a number; anything else counts as absent.
              hasTaskUid = value.isNumeric();
              taskUid = hasTaskUid ? p.getValueAsLong(0) : 0;
            }
            case "type" -> type = p.getValueAsString(null);
            case "enqueuedAt" -> enqueuedAt = p.getValueAsString(null);
            default -> { }
          }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
          return NONE;
        }
        return new Enqueued(hasTaskUid, taskUid, type, enqueuedAt);
      } catch (IOException | RuntimeException e) {
        // Not JSON: json() is a missing node, and so is every field.
        return NONE;
      }
    }

  }

  /** A parser over the bytes where they are (a node's answer is one heap buffer), not over a copy of them. */
  private static JsonParser parser(Buffer body) throws IOException {
    if (body instanceof BufferInternal internal) {
      ByteBuf buf = internal.unwrap();
      if (buf.hasArray()) {
        return DocumentPayloads.JSON.getFactory().createParser(buf.array(),
            buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
      }
    }
    return DocumentPayloads.JSON.getFactory().createParser(body.getBytes());
  }

  /** A short description for logs and error messages (never the body: it may hold documents). */
  public String describe() {
    return status == 0 ? nodeId + " unreachable (" + problem + ")" : nodeId + " answered " + status;
  }

  /** Never the body (it may hold documents). */
  @Override
  public String toString() {
    return "NodeReply[" + describe() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeReply r && status == r.status && nodeId.equals(r.nodeId) && Objects.equals(body, r.body)
        && Objects.equals(problem, r.problem);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodeId, status, body, problem);
  }
}
