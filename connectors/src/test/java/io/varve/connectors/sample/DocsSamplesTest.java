package io.varve.connectors.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/embedded.md quotes whole sample files, each after a {@code <!-- sample: PATH -->} line; the
 * quoted code must be the file as it is, so every example on the page compiles (and the connectors
 * samples run, SamplesTest) with the build.
 */
class DocsSamplesTest {
    private static final Pattern SAMPLE =
            Pattern.compile("<!-- sample: (\\S+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyExampleOnThePageIsACompiledSampleFile() throws IOException {
        Path root = repositoryRoot();
        String page = Files.readString(root.resolve("docs/embedded.md"));
        Map<String, String> quoted = new LinkedHashMap<>();
        Matcher matcher = SAMPLE.matcher(page);
        while (matcher.find()) {
            quoted.put(matcher.group(1), matcher.group(2));
        }
        assertThat(quoted).as("samples quoted in docs/embedded.md").hasSizeGreaterThanOrEqualTo(3);
        for (Map.Entry<String, String> sample : quoted.entrySet()) {
            assertThat(sample.getValue().strip())
                    .as("docs/embedded.md quotes " + sample.getKey() + " as it is")
                    .isEqualTo(Files.readString(root.resolve(sample.getKey())).strip());
        }
        // and every java block on the page is such a quote
        assertThat(page.split("```java", -1)).hasSize(quoted.size() + 1);
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("docs/embedded.md"))) {
                return dir;
            }
        }
        throw new AssertionError(
                "docs/embedded.md not found above " + Path.of("").toAbsolutePath());
    }
}
