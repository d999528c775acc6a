package dev.miroir.router.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.miroir.router.write.DocumentPayloads;
import dev.miroir.router.write.QuorumRule.NodeOutcome;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * What one node answered, or why it did not.
 *
 * @param nodeId the node asked
 * @param status HTTP status, or 0 when the node could not be reached or timed out
 * @param body response body (empty when unreachable)
 * @param problem why the node could not be reached, else null
 */
public record NodeReply(String nodeId, int status, Buffer body, String problem) {

  public static NodeReply unreachable(String nodeId, String problem) {
    return new NodeReply(nodeId, 0, Buffer.buffer(), problem);
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
    try {
      return DocumentPayloads.JSON.readTree(body.getBytes());
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  /** A short description for logs and error messages (never the body: it may hold documents). */
  public String describe() {
    return status == 0 ? nodeId + " unreachable (" + problem + ")" : nodeId + " answered " + status;
  }
}
