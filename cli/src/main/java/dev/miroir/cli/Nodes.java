package dev.miroir.cli;

import dev.miroir.core.placement.Node;
import java.util.List;

/** Node arguments as placement nodes. */
final class Nodes {
  private Nodes() {}

  static List<Node> parse(List<String> specs) {
    return specs.stream()
        .map(spec -> {
          int at = spec.indexOf('@');
          return at < 0 ? Node.of(spec) : new Node(spec.substring(0, at), spec.substring(at + 1));
        })
        .toList();
  }
}
