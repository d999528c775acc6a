package dev.miroir.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The redis-server the tests run comes through the build, and survives a crash when persistent. */
class RedisServerTest {

    /** No REDIS_SERVER_BIN and an empty PATH: the binary is the one Maven put on the class path. */
    @Test
    void binaryComesFromTheEmbeddedRedisJarWithoutAnythingInstalled(@TempDir Path cache) throws Exception {
        Map<String, String> env = Map.of("PATH", "");
        RedisBinary finder = new RedisBinary(env::get, k -> null, cache, getClass().getClassLoader());
        Path bin = finder.resolveUncached();
        assertThat(bin).isEqualTo(cache.resolve(RedisBinary.BINARY_NAME));
        assertThat(Files.isExecutable(bin)).isTrue();
        assertThat(Digests.sha256Hex(bin)).isEqualTo(RedisBinary.JAR_ENTRY_SHA256);
        assertThat(RedisBinary.versionOf(bin)).startsWith(RedisBinary.VERSION_PREFIX);
        // Cached: a second lookup takes the same file.
        assertThat(finder.resolveUncached()).isEqualTo(bin);
    }

    @Test
    void overrideWinsAndMustBeExecutable(@TempDir Path dir) throws Exception {
        Path notExecutable = Files.writeString(dir.resolve("redis-server"), "");
        Map<String, String> env = Map.of(RedisBinary.ENV_VAR, notExecutable.toString());
        RedisBinary finder = new RedisBinary(env::get, k -> null, dir.resolve("cache"), getClass().getClassLoader());
        org.assertj.core.api.Assertions.assertThatThrownBy(finder::resolveUncached)
            .hasMessageContaining(RedisBinary.ENV_VAR).hasMessageContaining("not executable");
    }

    @Test
    void persistentServerKeepsAcknowledgedWritesAcrossKill(@TempDir Path dir) {
        try (RedisServer redis = RedisServer.startPersistent(dir)) {
            assertThat(redis.call("INCR", "counter")).isEqualTo("1");
            assertThat(redis.call("INCR", "counter")).isEqualTo("2");
            redis.kill();
            assertThat(redis.isAlive()).isFalse();
            redis.restart();
            assertThat(redis.call("GET", "counter")).isEqualTo("2");
        }
        try (RedisServer volatileRedis = RedisServer.start()) {
            volatileRedis.call("SET", "k", "v");
            volatileRedis.kill();
            volatileRedis.restart();
            assertThat(volatileRedis.call("GET", "k")).isNull();
        }
    }
}
