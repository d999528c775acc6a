package dev.miroir.router.consistency;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.ShardDigest;
import dev.miroir.router.write.ReplicaStatus;

/**
 * One replica of one shard as a check saw it.
 *
 * @param nodeId the node
 * @param digest what it holds, or null when it could not be read
 * @param error why it could not be read, else null
 * @param status what the write path knows about the node's copies
 */
public record ReplicaCheck(String nodeId, ShardDigest digest, String error, ReplicaStatus status) {

  void writeTo(ObjectNode out, String authoritative, ShardDigest winning) {
    out.put("nodeId", nodeId);
    if (digest != null) {
      out.put("count", digest.count());
      out.put("digest", digest.digest());
      if (winning != null) {
        out.put("matchesAuthoritative", digest.equals(winning));
      }
    } else {
      out.put("error", error);
    }
    out.put("authoritative", nodeId.equals(authoritative));
    out.put("eligible", status.authoritative());
    out.put("pendingCopies", status.pendingCopies());
    out.put("needsRepair", status.needsRepair());
  }
}
