package dev.miroir.core.plan;

import java.util.List;

/**
 * One shard whose owner set changes.
 *
 * @param shard the shard
 * @param before owners before the change
 * @param after owners after the change
 * @param losing nodes that hold the shard before and not after (their copy is dropped after cutover)
 * @param gaining nodes that must receive a copy before they can serve it
 */
public record ShardMove(
    int shard, List<String> before, List<String> after, List<String> losing, List<String> gaining) {

  public ShardMove {
    before = List.copyOf(before);
    after = List.copyOf(after);
    losing = List.copyOf(losing);
    gaining = List.copyOf(gaining);
  }
}
