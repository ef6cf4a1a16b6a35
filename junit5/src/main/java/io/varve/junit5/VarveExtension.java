package io.varve.junit5;

import io.varve.connectors.embedded.EmbeddedVarve;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link VarveTest}: starts an embedded Varve node for the test class
 * (or for each test method), creates its topics and those of a method's {@link Topic}s, resolves
 * {@link BootstrapServers} {@code String} and {@link EmbeddedVarve} parameters, and closes the node
 * when its class (or method) ends. The node lives in JUnit's extension store of that class or
 * method, so parallel classes each get their own.
 *
 * <p>Programmatic form, for a node configured in code: {@code @RegisterExtension static final
 * VarveExtension varve = VarveExtension.perClass().withTopic("orders", 3);} then {@code
 * varve.bootstrapServers()} inside tests.
 */
public final class VarveExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, ParameterResolver {
    private static final Namespace NAMESPACE = Namespace.create(VarveExtension.class);
    private static final String NODE = "node";

    /** The node in the store; JUnit closes it with its context if a callback did not. */
    private record StoredNode(EmbeddedVarve node) implements AutoCloseable {
        @Override
        public void close() {
            node.close();
        }
    }

    private final NodeSpec programmatic;
    private volatile EmbeddedVarve current;

    /** For {@code @ExtendWith} / {@link VarveTest}: the annotation describes the node. */
    public VarveExtension() {
        this(null);
    }

    private VarveExtension(NodeSpec programmatic) {
        this.programmatic = programmatic;
    }

    /** One node for the whole test class. */
    public static VarveExtension perClass() {
        return new VarveExtension(NodeSpec.PER_CLASS);
    }

    /** A new node for every test method. */
    public static VarveExtension perMethod() {
        return new VarveExtension(NodeSpec.PER_CLASS.withPerMethod(true));
    }

    /** A topic created when the node starts. */
    public VarveExtension withTopic(String name, int partitions) {
        return withTopic(new NewTopic(name, Optional.of(partitions), Optional.empty()));
    }

    public VarveExtension withTopic(NewTopic topic) {
        return new VarveExtension(spec().withTopic(topic));
    }

    /** A node configuration value (docs/configuration.md). */
    public VarveExtension withConfig(String path, Object value) {
        return new VarveExtension(spec().withConfig(path, value));
    }

    private NodeSpec spec() {
        if (programmatic == null) {
            throw new IllegalStateException("configure a programmatic VarveExtension from perClass() or perMethod()");
        }
        return programmatic;
    }

    /** The node of the running test (programmatic form). */
    public EmbeddedVarve node() {
        EmbeddedVarve node = current;
        if (node == null) {
            throw new IllegalStateException("no Varve node is running: the extension starts one for a test");
        }
        return node;
    }

    /** {@code host:port} of the running node's Kafka listener (programmatic form). */
    public String bootstrapServers() {
        return node().bootstrapServers();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!spec(context).perMethod()) {
            start(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        NodeSpec spec = spec(context);
        EmbeddedVarve node;
        if (spec.perMethod()) {
            node = start(context);
        } else {
            // a per-class extension registered on an instance field misses beforeAll
            node = find(context).orElseGet(() -> start(context.getParent().orElse(context)));
        }
        createMethodTopics(context, node);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (spec(context).perMethod()) {
            stop(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedVarve.class || (type == String.class && parameter.isAnnotated(BootstrapServers.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        EmbeddedVarve node = find(context)
                .orElseThrow(() -> new ParameterResolutionException("no Varve node for " + parameter.getParameter()
                        + ": with perMethod = true, a node exists only for test methods"));
        return parameter.getParameter().getType() == EmbeddedVarve.class ? node : node.bootstrapServers();
    }

    private NodeSpec spec(ExtensionContext context) {
        if (programmatic != null) {
            return programmatic;
        }
        return context.getTestClass()
                .flatMap(VarveExtension::annotationOf)
                .map(NodeSpec::of)
                .orElse(NodeSpec.PER_CLASS);
    }

    private static Optional<VarveTest> annotationOf(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<VarveTest> found = AnnotationSupport.findAnnotation(c, VarveTest.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private EmbeddedVarve start(ExtensionContext context) {
        EmbeddedVarve node = spec(context).start();
        context.getStore(NAMESPACE).put(NODE, new StoredNode(node));
        current = node;
        return node;
    }

    private void stop(ExtensionContext context) {
        StoredNode stored = context.getStore(NAMESPACE).remove(NODE, StoredNode.class);
        if (stored != null) {
            if (current == stored.node()) {
                current = null;
            }
            stored.close();
        }
    }

    /** The node of this context or the closest enclosing one (the store looks up its parents). */
    private static Optional<EmbeddedVarve> find(ExtensionContext context) {
        return Optional.ofNullable(context.getStore(NAMESPACE).get(NODE, StoredNode.class))
                .map(StoredNode::node);
    }

    private static void createMethodTopics(ExtensionContext context, EmbeddedVarve node) {
        List<NewTopic> topics = new ArrayList<>();
        Optional<Method> method = context.getTestMethod();
        method.ifPresent(m -> AnnotationSupport.findRepeatableAnnotations(m, Topic.class)
                .forEach(topic -> topics.add(NodeSpec.topic(topic))));
        for (NewTopic topic : topics) {
            try {
                node.createTopicsAsync(List.of(topic)).toCompletableFuture().join();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
                }
            }
        }
    }
}
