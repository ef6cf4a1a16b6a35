package io.varve.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.Test;

class GroupIdsTest {

    @Test
    void plainIdsKeepThePersistenceIdTheyAlwaysHad() {
        assertThat(GroupIds.persistenceKey("orders-consumers.v2_blue")).isEqualTo("orders-consumers.v2_blue");
        assertThat(PersistenceId.of(GroupIds.PERSISTENCE_TYPE, GroupIds.persistenceKey("g1"))
                        .id())
                .isEqualTo("group|g1");
    }

    @Test
    void separatorsPercentSignsTildesAndControlCharactersAreEscapedReversibly() {
        for (String id : List.of("a|b", "100%", "~lead", "tab\there", "", "日本語のグループ", "x%7Cy")) {
            String key = GroupIds.persistenceKey(id);
            assertThat(key).doesNotContain("|");
            assertThat(GroupIds.isHashed(key)).isFalse();
            assertThat(GroupIds.groupIdOfKey(key)).isEqualTo(id);
            PersistenceId.of(GroupIds.PERSISTENCE_TYPE, key); // Pekko accepts it
        }
        assertThat(GroupIds.persistenceKey("a|b")).isEqualTo("a%7Cb");
        assertThat(GroupIds.persistenceKey("x%7Cy")).isEqualTo("x%257Cy");
    }

    @Test
    void idsTooLongForTheJournalAreHashedAndTheirPersistenceIdFits() {
        String thousand = "g".repeat(999) + "|";
        String key = GroupIds.persistenceKey(thousand);

        assertThat(GroupIds.isHashed(key)).isTrue();
        String persistenceId = PersistenceId.of(GroupIds.PERSISTENCE_TYPE, key).id();
        assertThat(persistenceId.length()).isLessThanOrEqualTo(GroupIds.MAX_PERSISTENCE_ID_CHARS);
        assertThat(GroupIds.persistenceKey("g".repeat(999) + "||")).isNotEqualTo(key);
        assertThat(PersistenceId.of(GroupIds.NAME_TYPE, GroupIds.nameKey(thousand))
                        .id()
                        .length())
                .isLessThanOrEqualTo(GroupIds.MAX_PERSISTENCE_ID_CHARS);
    }

    @Test
    void theLongestIdThatFitsIsNotHashed() {
        String fits = "f".repeat(GroupIds.MAX_PERSISTENCE_ID_CHARS - "group|".length());
        assertThat(GroupIds.persistenceKey(fits)).isEqualTo(fits);
        assertThat(GroupIds.isHashed(GroupIds.persistenceKey(fits + "f"))).isTrue();
    }

    @Test
    void entityIdsAreNeverEmptyAndGiveTheGroupIdBack() {
        for (String id : List.of("", "a|b", "日本語")) {
            assertThat(GroupIds.entityId(id)).isNotEmpty();
            assertThat(GroupIds.groupIdOfEntity(GroupIds.entityId(id))).isEqualTo(id);
        }
    }
}
