package dev.miroir.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs the chart's Argo CD health check ({@code helm/miroir-operator/files/argocd-health.lua}) the
 * way Argo CD does: the object as a Lua table in the global {@code obj}, the script's returned
 * table read for {@code status} and {@code message}.
 */
public final class ArgoHealth {

  public record Health(String status, String message) {}

  private static final String SCRIPT = read();

  private ArgoHealth() {}

  public static Health of(Object resource) {
    JsonNode json = Serialization.jsonMapper().valueToTree(resource);
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(json));
    LuaValue result = globals.load(SCRIPT, "argocd-health.lua").call();
    return new Health(result.get("status").tojstring(), result.get("message").optjstring(null));
  }

  public static String script() {
    return SCRIPT;
  }

  private static LuaValue lua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        table.set(e.getKey(), lua(e.getValue()));
      }
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      int i = 1;
      for (JsonNode item : node) {
        table.set(i++, lua(item));
      }
      return table;
    }
    if (node.isIntegralNumber()) {
      return LuaValue.valueOf(node.asLong());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.asDouble());
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.asBoolean());
    }
    return LuaValue.valueOf(node.asText());
  }

  private static String read() {
    try {
      return Files.readString(Repo.path("helm/miroir-operator/files/argocd-health.lua"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
