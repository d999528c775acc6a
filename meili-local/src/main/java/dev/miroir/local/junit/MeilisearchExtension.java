package dev.miroir.local.junit;

import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.local.MeilisearchProcess;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts the nodes requested by {@link WithMeilisearch} and resolves them as parameters.
 *
 * <p>Nodes live in the {@link ExtensionContext.Store} of the class or method that declared the
 * annotation, so JUnit closes them when that scope ends whatever the outcome of its tests. Registered
 * without the annotation ({@code @ExtendWith}), a parameter request gets one default node scoped to
 * the requesting method (or class, for constructors and {@code @BeforeAll}).
 */
public class MeilisearchExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MeilisearchExtension.class);
    private static final String KEY = "nodes";

    @WithMeilisearch
    private static final class Defaults {
    }

    private static final WithMeilisearch DEFAULTS = Defaults.class.getAnnotation(WithMeilisearch.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        // Eager, so startup time and failures show up in the class's setup, not in its first test.
        declaringScope(context).ifPresent(MeilisearchExtension::nodes);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        declaringScope(context).ifPresent(MeilisearchExtension::nodes);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type == MeilisearchNodes.class || type == MeilisearchProcess.class || type == MeiliHttp.class) {
            return true;
        }
        if (type == List.class) {
            Type generic = parameterContext.getParameter().getParameterizedType();
            return generic instanceof ParameterizedType pt
                    && pt.getActualTypeArguments()[0] == MeilisearchProcess.class;
        }
        return false;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Scope scope = declaringScope(extensionContext)
                .orElseGet(() -> new Scope(extensionContext, DEFAULTS));
        MeilisearchNodes nodes = nodes(scope);
        Class<?> type = parameterContext.getParameter().getType();
        if (type == MeilisearchNodes.class) {
            return nodes;
        }
        if (type == List.class) {
            return nodes.processes();
        }
        if (type == MeilisearchProcess.class) {
            return nodes.get(0);
        }
        if (type == MeiliHttp.class) {
            return nodes.get(0).http();
        }
        throw new ParameterResolutionException("Unsupported parameter " + parameterContext.getParameter());
    }

    /** The nearest enclosing method/class context whose element carries {@link WithMeilisearch}. */
    private static Optional<Scope> declaringScope(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isEmpty()) {
                break; // engine level
            }
            Optional<WithMeilisearch> ann = AnnotationSupport.findAnnotation(element.get(), WithMeilisearch.class);
            if (ann.isPresent()) {
                return Optional.of(new Scope(c, ann.get()));
            }
        }
        return Optional.empty();
    }

    private static MeilisearchNodes nodes(Scope scope) {
        return scope.context().getStore(NS)
                .getOrComputeIfAbsent(KEY, k -> new StoredNodes(start(scope.annotation())), StoredNodes.class)
                .nodes();
    }

    private static MeilisearchNodes start(WithMeilisearch ann) {
        return MeilisearchNodes.start(ann.nodes(), (index, b) -> {
            b.environment(ann.environment());
            if (!ann.maxIndexingMemory().isEmpty()) {
                b.maxIndexingMemory(ann.maxIndexingMemory());
            }
            if (ann.maxIndexingThreads() > 0) {
                b.maxIndexingThreads(ann.maxIndexingThreads());
            }
        });
    }

    private record Scope(ExtensionContext context, WithMeilisearch annotation) {
    }

    /**
     * Implements both interfaces: JUnit 5.13+ closes {@link AutoCloseable} store values and deprecates
     * {@code CloseableResource}, older versions close only the latter. Close is idempotent, so a JUnit
     * that honours both is harmless.
     */
    @SuppressWarnings("deprecation")
    private record StoredNodes(MeilisearchNodes nodes) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            nodes.close();
        }
    }
}
