package io.varve.transport.api.admin.configs;

import java.util.List;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * One config as DescribeConfigs (and CreateTopics v5+) reports it: its effective value and where
 * that value comes from, with the synonyms in Kafka's order of precedence (the first synonym is the
 * value in force). A sensitive config's value is never shown (null), as from Kafka. Immutable.
 */
public record ConfigView(
        String name,
        String value,
        ConfigSource source,
        boolean readOnly,
        List<Synonym> synonyms,
        ConfigType type,
        String documentation,
        boolean sensitive) {

    public ConfigView(
            String name,
            String value,
            ConfigSource source,
            boolean readOnly,
            List<Synonym> synonyms,
            ConfigType type,
            String documentation) {
        this(name, value, source, readOnly, synonyms, type, documentation, false);
    }

    /** A source of a config's value, under the name it has at that source. */
    public record Synonym(String name, String value, ConfigSource source) {}

    public DescribeConfigsResourceResult toDescribeResult(boolean includeSynonyms, boolean includeDocumentation) {
        DescribeConfigsResourceResult result = new DescribeConfigsResourceResult()
                .setName(name)
                .setValue(sensitive ? null : value)
                .setReadOnly(readOnly)
                .setConfigSource(source.id())
                .setIsSensitive(sensitive)
                .setConfigType(type.id())
                .setDocumentation(includeDocumentation ? documentation : null);
        if (includeSynonyms) {
            result.setSynonyms(synonyms.stream()
                    .map(s -> new DescribeConfigsSynonym()
                            .setName(s.name())
                            .setValue(sensitive ? null : s.value())
                            .setSource(s.source().id()))
                    .toList());
        }
        return result;
    }
}
