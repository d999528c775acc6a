package dev.miroir.local.junit;

import dev.miroir.local.MeilisearchOptions.Environment;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs real Meilisearch nodes for a test class or a test method.
 *
 * <p>On a class, the nodes are started once before all tests of the class (and of its {@code @Nested}
 * classes) and shared by them; on a method, that method gets its own nodes. Either way every node has
 * its own loopback port, temporary data directory and random master key, and is stopped and deleted
 * afterwards, also when tests fail. Inject {@link dev.miroir.local.MeilisearchNodes},
 * {@code List<MeilisearchProcess>}, {@link dev.miroir.local.MeilisearchProcess} (the first node) or
 * {@link dev.miroir.local.MeiliHttp} (client for the first node) into constructors, lifecycle or test
 * methods.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(MeilisearchExtension.class)
public @interface WithMeilisearch {

    /** Number of independent nodes. */
    int nodes() default 1;

    Environment environment() default Environment.DEVELOPMENT;

    /** {@code --max-indexing-memory}; empty for the module default. */
    String maxIndexingMemory() default "";

    /** {@code --max-indexing-threads}; 0 for the module default. */
    int maxIndexingThreads() default 0;
}
