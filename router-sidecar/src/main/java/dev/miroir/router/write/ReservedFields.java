package dev.miroir.router.write;

/** Names the router owns inside client data. */
public final class ReservedFields {

  /**
   * Every stored document carries its shard number under this field, so that a search can ask a node
   * for only some of the shards it holds ({@code _miroir_shard IN [...]}), which is what keeps results
   * free of duplicates with RF > 1 and while a shard moves. Clients never see it.
   */
  public static final String SHARD = "_miroir_shard";

  private ReservedFields() {}
}
