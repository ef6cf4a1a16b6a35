package io.varve.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against an embedded Varve node ({@link VarveExtension}): started
 * before the class's first test (or before each test with {@code perMethod = true}) on a free port
 * of 127.0.0.1 in a temporary data directory, with {@link #topics()} created, and closed afterwards.
 * Tests receive its address as a {@link BootstrapServers} {@code String} parameter, and the node
 * itself as an {@code EmbeddedVarve} parameter.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(VarveExtension.class)
public @interface VarveTest {
    /** Topics created when the node starts. */
    Topic[] topics() default {};

    /** A fresh node for every test method instead of one for the class. */
    boolean perMethod() default false;

    /** Node configuration as {@code path=value} (docs/configuration.md), e.g. {@code "varve.log.segment-bytes=1m"}. */
    String[] config() default {};
}
