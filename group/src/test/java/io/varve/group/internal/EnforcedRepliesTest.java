package io.varve.group.internal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.junit.jupiter.api.Test;

/**
 * The group entity answers through reply effects, so the compiler checks that a command handler
 * answers: only {@code GroupEntity.answeredLater} (commands the group or a later flush answers, and
 * the entity's own messages) may end a command without a reply. A handler that replies with a
 * {@code tell} from a side effect and returns no reply — what the entity did before — fails here.
 */
class EnforcedRepliesTest {
    /** The module's compiled classes of this package, read from their directory (no classpath scan). */
    private static final JavaClasses GROUP_INTERNALS = new ClassFileImporter().importPath(classesOf(GroupEntity.class));

    private static Path classesOf(Class<?> type) {
        try {
            Path root = Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
            return root.resolve(type.getPackageName().replace('.', '/'));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void onlyCommandsAnsweredLaterEndWithoutAReplyEffect() {
        noClasses()
                .that()
                .resideInAPackage("io.varve.group.internal")
                .should()
                .callMethodWhere(REPLY_LESS_EFFECT_OUTSIDE_ANSWERED_LATER)
                .because("a command with a replyTo is answered with a reply effect (thenReply/reply)")
                .check(GROUP_INTERNALS);
    }

    private static final DescribedPredicate<JavaMethodCall> REPLY_LESS_EFFECT_OUTSIDE_ANSWERED_LATER =
            new DescribedPredicate<>("a reply-less effect (thenNoReply, noReply) outside answeredLater") {
                @Override
                public boolean test(JavaMethodCall call) {
                    boolean replyLess = (call.getTargetOwner().isEquivalentTo(EffectBuilder.class)
                                    && call.getName().equals("thenNoReply"))
                            || (call.getTargetOwner().isEquivalentTo(EffectFactories.class)
                                    && call.getName().equals("noReply"));
                    return replyLess && !call.getOrigin().getName().equals("answeredLater");
                }
            };
}
