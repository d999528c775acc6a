package dev.miroir.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API server would say about a manifest, since the mock server says nothing: structural
 * defaulting, the OpenAPI schema of the generated CRD (JSON Schema validator) and its
 * x-kubernetes-validations CEL rules, with transition rules ({@code oldSelf}) on update only.
 */
public final class CrdValidator {

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("self", SimpleType.DYN).addVar("oldSelf", SimpleType.DYN).build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final JsonNode schema;
  private final JsonSchema jsonSchema;

  public CrdValidator(Path crd) {
    try {
      JsonNode root = YAML.readTree(crd.toFile());
      this.schema = root.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.jsonSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
  }

  public static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<String> validateCreate(JsonNode object) {
    return validate(object, null);
  }

  /** Errors the API server would report for this object, empty when it would accept it. */
  public List<String> validate(JsonNode object, JsonNode old) {
    JsonNode defaulted = object.deepCopy();
    applyDefaults(schema, defaulted);
    List<String> errors = new ArrayList<>();
    for (ValidationMessage m : jsonSchema.validate(defaulted)) {
      errors.add(m.getMessage());
    }
    JsonNode oldDefaulted = null;
    if (old != null) {
      oldDefaulted = old.deepCopy();
      applyDefaults(schema, oldDefaulted);
    }
    if (errors.isEmpty()) {
      celRules(schema, defaulted, oldDefaulted, "", errors);
    }
    return errors;
  }

  private static void applyDefaults(JsonNode schema, JsonNode value) {
    if (!(value instanceof ObjectNode obj)) {
      if (value != null && value.isArray() && schema.has("items")) {
        value.forEach(item -> applyDefaults(schema.get("items"), item));
      }
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      if (!obj.has(property.getKey()) && property.getValue().has("default")) {
        obj.set(property.getKey(), property.getValue().get("default").deepCopy());
      }
      if (obj.has(property.getKey())) {
        applyDefaults(property.getValue(), obj.get(property.getKey()));
      }
    }
  }

  private static void celRules(JsonNode schema, JsonNode value, JsonNode old, String path, List<String> errors) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      boolean transition = expression.contains("oldSelf");
      if (transition && (old == null || old.isMissingNode() || old.isNull())) {
        continue;
      }
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", toCel(value));
      if (transition) {
        vars.put("oldSelf", toCel(old));
      }
      try {
        CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
        Object result = RUNTIME.createProgram(ast).eval(vars);
        if (!Boolean.TRUE.equals(result)) {
          errors.add((path.isEmpty() ? "<root>" : path) + ": " + rule.path("message").asText(expression));
        }
      } catch (Exception e) {
        errors.add(path + ": rule `" + expression + "` failed: " + e.getMessage());
      }
    }
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        celRules(property.getValue(), value.get(property.getKey()),
            old == null ? null : old.get(property.getKey()), path + "." + property.getKey(), errors);
      }
    }
  }

  private static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(toCel(item)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
