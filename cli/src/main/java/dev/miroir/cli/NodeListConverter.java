package dev.miroir.cli;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code n0,n1,n2}; an optional {@code id@zone} form gives a node a zone. */
final class NodeListConverter implements ITypeConverter<List<String>> {

  @Override
  public List<String> convert(String value) {
    List<String> ids = Arrays.stream(value.split(",", -1)).map(String::trim).toList();
    if (ids.stream().anyMatch(String::isEmpty)) {
      throw new TypeConversionException("node list `" + value + "` has an empty node id");
    }
    Set<String> unique = new LinkedHashSet<>();
    for (String id : ids) {
      String bare = id.contains("@") ? id.substring(0, id.indexOf('@')) : id;
      if (!unique.add(bare)) {
        throw new TypeConversionException("node `" + bare + "` is listed twice");
      }
    }
    return ids;
  }
}
