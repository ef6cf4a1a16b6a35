package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every {@code varve.*} key of every module's reference.conf is documented in docs/configuration.md. */
class ConfigurationDocsTest {

    @Test
    void everyReferenceKeyIsDocumented() throws IOException {
        String docs = Files.readString(repositoryRoot().resolve("docs/configuration.md"));
        List<String> keys = ConfigFactory.defaultReference().getConfig("varve").entrySet().stream()
                .map(e -> "varve." + e.getKey())
                .filter(key -> !key.startsWith("varve.kryo.classes."))
                .map(key -> key.startsWith("varve.storage-dispatcher.") ? "varve.storage-dispatcher" : key)
                .map(key -> key.startsWith("varve.sendfile-dispatcher.") ? "varve.sendfile-dispatcher" : key)
                .map(key -> key.startsWith("varve.cleaner-dispatcher.") ? "varve.cleaner-dispatcher" : key)
                .distinct()
                .sorted()
                .toList();
        assertThat(keys).isNotEmpty();
        assertThat(keys).allSatisfy(key -> assertThat(docs)
                .as("docs/configuration.md documents " + key)
                .contains("`" + key));
    }

    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("docs/configuration.md"))) {
                return dir;
            }
        }
        throw new AssertionError(
                "docs/configuration.md not found above " + Path.of("").toAbsolutePath());
    }
}
