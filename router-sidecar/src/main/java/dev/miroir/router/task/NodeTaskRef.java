package dev.miroir.router.task;

/**
 * One node task behind a router task.
 *
 * @param nodeId node id at enqueue time
 * @param url the node's URL at enqueue time, so the task stays readable after a topology change
 * @param taskUid the node's own task uid
 * @param primary whether its details describe the client's request; the router's own follow-up
 *     tasks (e.g. making {@code _miroir_shard} filterable on a new index) count for status only
 */
public record NodeTaskRef(String nodeId, String url, long taskUid, boolean primary) {}
