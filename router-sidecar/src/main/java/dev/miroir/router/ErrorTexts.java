package dev.miroir.router;

import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.write.ReservedFields;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.regex.Pattern;

/**
 * Node error messages as a client of a single node would read them. Nodes keep the router's
 * shard stamp ({@code _miroir_shard} or {@code _geo._miroir_shard}) filterable, so their messages list it among the filterable attributes; the
 * client never configured it, and a single node would word the message differently when it is the
 * only one ("This index does not have configured filterable attributes."). Pure.
 */
public final class ErrorTexts {


  // "Available filterable attribute patterns are: `_miroir_shard`, `a`." (search, documents/fetch),
  // "Available filterable attributes patterns are: `_miroir_shard`." (facet distribution),
  // "Available facet-searchable attributes patterns are: `_miroir_shard, a`." (facet search).
  private static final Pattern LIST = Pattern.compile(
      "Available (filterable attributes?|facet-searchable attributes) patterns are: ((?:`[^`]*`(?:, )?)+)\\.");

  private ErrorTexts() {}

  /** The message a single node would give, from a node's message that may mention the shard field. */
  public static String forClient(String message) {
    if (message == null || !message.contains(ReservedFields.SHARD)) {
      return message;
    }
    String out = replace(LIST, message, m -> {
      String list = m.group(2);
      boolean eachQuoted = list.startsWith("`") && list.indexOf('`', 1) < list.length() - 1;
      List<String> kept = new ArrayList<>();
      for (String item : list.replace("`", "").split(", ")) {
        if (!item.isEmpty() && !ShardStamp.isStamp(item)) {
          kept.add(item);
        }
      }
      if (kept.isEmpty()) {
        return m.group(1).startsWith("facet") ? "This index does not have configured facet-searchable attributes."
            : "This index does not have configured filterable attributes.";
      }
      String shown = eachQuoted ? kept.stream().map(k -> "`" + k + "`").collect(Collectors.joining(", "))
          : "`" + String.join(", ", kept) + "`";
      return "Available " + m.group(1) + " patterns are: " + shown + ".";
    });
    // Anything else that still names the field (none known in 1.21): drop the name, keep the sense.
    for (String field : ShardStamp.FIELDS) {
      String quoted = "`" + field + "`";
      out = out.replace(quoted + ", ", "").replace(", " + quoted, "").replace(quoted, "``");
    }
    return out;
  }

  private static String replace(Pattern pattern, String text, java.util.function.Function<Matcher, String> by) {
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(by.apply(m)));
    }
    m.appendTail(out);
    return out.toString();
  }
}
