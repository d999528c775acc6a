package dev.miroir.cli;

import dev.miroir.cli.local.LocalClusterState;
import dev.miroir.cli.local.LocalLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Which router a command talks to and with which key (a picocli mixin): a local cluster's data
 * directory (router URL from its state file, master key from its key file, else from
 * {@code MEILI_MASTER_KEY} or {@code MIROIR_MASTER_KEY}), or any router URL with
 * the key from a file or {@code MEILI_MASTER_KEY}. Never a key on the command line: it would show in
 * {@code ps} and shell history.
 */
final class RouterTarget {

  static final String KEY_VARIABLE = "MEILI_MASTER_KEY";
  /** What {@code miroir local up} reads its key from. */
  static final String LOCAL_KEY_VARIABLE = "MIROIR_MASTER_KEY";

  @Option(names = "--data-dir", description = "A local cluster's data directory (router URL and master key from its files).")
  Path dataDir;

  @Option(names = "--url", description = "A router's base URL, e.g. http://127.0.0.1:7700.")
  String url;

  @Option(names = "--master-key-file", description = "File holding the master key (with --url; else $" + KEY_VARIABLE + ").")
  Path masterKeyFile;

  /** A router URL and its key (null when the cluster has none). */
  record Resolved(String url, String masterKey) {}

  Resolved resolve(Map<String, String> env) throws IOException {
    if ((dataDir == null) == (url == null)) {
      throw new IllegalArgumentException("give exactly one of --data-dir DIR or --url URL");
    }
    if (dataDir != null) {
      if (masterKeyFile != null) {
        throw new IllegalArgumentException("--master-key-file goes with --url; --data-dir has its own key file");
      }
      LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
      LocalClusterState state = LocalClusterState.read(layout.stateFile()).orElseThrow(() ->
          new IllegalArgumentException("no local cluster state in " + layout.root() + " (is `miroir local up` running?)"));
      // `local up` keeps a generated key in the data directory; a key the user chose lives in their env.
      String key = Files.exists(layout.masterKeyFile()) ? readKey(layout.masterKeyFile())
          : fromEnv(env, KEY_VARIABLE, LOCAL_KEY_VARIABLE);
      return new Resolved(trimSlash(state.router()), key);
    }
    if (masterKeyFile != null) {
      return new Resolved(trimSlash(url), readKey(masterKeyFile));
    }
    return new Resolved(trimSlash(url), fromEnv(env, KEY_VARIABLE));
  }

  private static String fromEnv(Map<String, String> env, String... names) {
    for (String name : names) {
      String key = env.get(name);
      if (key != null && !key.isBlank()) {
        return key.trim();
      }
    }
    return null;
  }

  private static String readKey(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read the master key file " + file);
    }
    String key = Files.readString(file).trim();
    return key.isEmpty() ? null : key;
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
