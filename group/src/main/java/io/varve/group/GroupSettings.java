package io.varve.group;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The group coordinator's settings, from {@code varve.group} in {@code reference.conf}.
 *
 * @param initialRebalanceDelay {@code group.initial.rebalance.delay.ms}
 * @param minSessionTimeout {@code group.min.session.timeout.ms}
 * @param maxSessionTimeout {@code group.max.session.timeout.ms}
 * @param maxSize {@code group.max.size}
 * @param newMemberJoinTimeout how long a new member may take to rejoin (KIP-394)
 * @param offsetMetadataMaxBytes {@code offset.metadata.max.bytes}
 * @param offsetsRetention {@code offsets.retention.minutes}: how long the offsets of an empty group
 *     (or a standalone commit) are kept
 * @param snapshotEvery events between snapshots of a group entity
 * @param readJournalPluginId the read journal whose persistence ids list the groups
 */
public record GroupSettings(
        Duration initialRebalanceDelay,
        Duration minSessionTimeout,
        Duration maxSessionTimeout,
        int maxSize,
        Duration newMemberJoinTimeout,
        int offsetMetadataMaxBytes,
        Duration offsetsRetention,
        int snapshotEvery,
        String readJournalPluginId) {

    public static GroupSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.group");
        return new GroupSettings(
                c.getDuration("initial-rebalance-delay"),
                c.getDuration("min-session-timeout"),
                c.getDuration("max-session-timeout"),
                c.getInt("max-size"),
                c.getDuration("new-member-join-timeout"),
                c.getInt("offset-metadata-max-bytes"),
                c.getDuration("offsets-retention"),
                c.getInt("snapshot-every"),
                c.getString("read-journal-plugin"));
    }
}
