package dev.miroir.operator.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository (samples, crds, chart) seen from the operator module's tests. */
public final class Repo {

  private Repo() {}

  public static Path root() {
    String prop = System.getProperty("miroir.repoRoot");
    Path root = prop != null ? Path.of(prop) : Path.of("..");
    root = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve("crds"))) {
      throw new IllegalStateException("not the repository root: " + root);
    }
    return root;
  }

  public static Path path(String relative) {
    return root().resolve(relative);
  }
}
