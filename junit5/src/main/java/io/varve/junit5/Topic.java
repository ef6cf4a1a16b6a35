package io.varve.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A topic the node has before a test runs: in {@link VarveTest#topics()} it is created when the
 * node starts; on a test method, before that method (kept if it already exists).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(Topics.class)
public @interface Topic {
    String name();

    /** Partitions; -1 takes the broker's default ({@code varve.transport.num-partitions}, 1). */
    int partitions() default 1;

    /** Topic configs as {@code name=value}, e.g. {@code "cleanup.policy=compact"}. */
    String[] configs() default {};
}
