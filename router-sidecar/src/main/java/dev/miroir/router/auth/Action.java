package dev.miroir.router.auth;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Meilisearch 1.21's key actions ({@code meilisearch-types/src/keys.rs}), with the expansion of the
 * wildcards done exactly as its auth store does when a key is saved: {@code *} is every action but
 * {@code *.get}, {@code *.get} every read action (never {@code keys.get}), {@code documents.*} the three
 * document actions, and so on.
 */
public enum Action {
  SEARCH("search", true),
  DOCUMENTS_ADD("documents.add", false),
  DOCUMENTS_GET("documents.get", true),
  DOCUMENTS_DELETE("documents.delete", false),
  /** Granted only by {@code *} (the store expands {@code documents.*} into the three above): edit by function. */
  DOCUMENTS_ALL("documents.*", false),
  INDEXES_CREATE("indexes.create", false),
  INDEXES_GET("indexes.get", true),
  INDEXES_UPDATE("indexes.update", false),
  INDEXES_DELETE("indexes.delete", false),
  INDEXES_SWAP("indexes.swap", false),
  TASKS_CANCEL("tasks.cancel", false),
  TASKS_DELETE("tasks.delete", false),
  TASKS_GET("tasks.get", true),
  SETTINGS_GET("settings.get", true),
  SETTINGS_UPDATE("settings.update", false),
  STATS_GET("stats.get", true),
  METRICS_GET("metrics.get", true),
  DUMPS_CREATE("dumps.create", false),
  SNAPSHOTS_CREATE("snapshots.create", false),
  VERSION("version", true),
  KEYS_CREATE("keys.create", false),
  KEYS_GET("keys.get", false),
  KEYS_UPDATE("keys.update", false),
  KEYS_DELETE("keys.delete", false),
  EXPERIMENTAL_GET("experimental.get", true),
  EXPERIMENTAL_UPDATE("experimental.update", false),
  EXPORT("export", true),
  NETWORK_GET("network.get", true),
  NETWORK_UPDATE("network.update", false),
  CHAT_COMPLETIONS("chatCompletions", false),
  CHATS_GET("chats.get", true),
  CHATS_DELETE("chats.delete", false),
  CHATS_SETTINGS_GET("chatsSettings.get", true),
  CHATS_SETTINGS_UPDATE("chatsSettings.update", false),
  WEBHOOKS_GET("webhooks.get", true),
  WEBHOOKS_UPDATE("webhooks.update", false),
  WEBHOOKS_DELETE("webhooks.delete", false),
  WEBHOOKS_CREATE("webhooks.create", false);

  private static final Map<String, Set<Action>> BY_WIRE_NAME = new HashMap<>();

  static {
    for (Action a : values()) {
      BY_WIRE_NAME.put(a.wireName, EnumSet.of(a));
    }
    BY_WIRE_NAME.put("*", EnumSet.allOf(Action.class));
    EnumSet<Action> reads = EnumSet.noneOf(Action.class);
    for (Action a : values()) {
      if (a.read) {
        reads.add(a);
      }
    }
    BY_WIRE_NAME.put("*.get", reads);
    BY_WIRE_NAME.put("documents.*", EnumSet.of(DOCUMENTS_ADD, DOCUMENTS_GET, DOCUMENTS_DELETE));
    BY_WIRE_NAME.put("indexes.*",
        EnumSet.of(INDEXES_CREATE, INDEXES_GET, INDEXES_UPDATE, INDEXES_DELETE, INDEXES_SWAP));
    BY_WIRE_NAME.put("tasks.*", EnumSet.of(TASKS_CANCEL, TASKS_DELETE, TASKS_GET));
    BY_WIRE_NAME.put("settings.*", EnumSet.of(SETTINGS_GET, SETTINGS_UPDATE));
    BY_WIRE_NAME.put("stats.*", EnumSet.of(STATS_GET));
    BY_WIRE_NAME.put("metrics.*", EnumSet.of(METRICS_GET));
    BY_WIRE_NAME.put("dumps.*", EnumSet.of(DUMPS_CREATE));
    BY_WIRE_NAME.put("snapshots.*", EnumSet.of(SNAPSHOTS_CREATE));
    BY_WIRE_NAME.put("chats.*", EnumSet.of(CHATS_GET, CHATS_DELETE));
    BY_WIRE_NAME.put("chatsSettings.*", EnumSet.of(CHATS_SETTINGS_GET, CHATS_SETTINGS_UPDATE));
    BY_WIRE_NAME.put("webhooks.*", EnumSet.of(WEBHOOKS_GET, WEBHOOKS_UPDATE, WEBHOOKS_DELETE, WEBHOOKS_CREATE));
  }

  private final String wireName;
  private final boolean read;

  Action(String wireName, boolean read) {
    this.wireName = wireName;
    this.read = read;
  }

  public String wireName() {
    return wireName;
  }

  /** What a key's action list grants; names Meilisearch does not know grant nothing. */
  public static Set<Action> expand(Iterable<String> names) {
    EnumSet<Action> out = EnumSet.noneOf(Action.class);
    for (String name : names) {
      Set<Action> granted = BY_WIRE_NAME.get(name);
      if (granted != null) {
        out.addAll(granted);
      }
    }
    return out;
  }
}
