package io.varve.group.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * How a Kafka group id, any string a client can send (empty, with {@code |}, up to 32,767 bytes,
 * any script), becomes the ids the group's entity lives under:
 *
 * <pre>
 *   entity id       "g" + group id                          (sharding: never empty, reversible)
 *   persistence id  "group|" + escaped group id              if that fits the journal's 255 characters
 *                   "group|~" + base64url(SHA-256(UTF-8))    otherwise; its name is kept by a
 *                                                            {@link GroupNameRecord} ("group-name|" + the same hash)
 *   escaped         '%', '|', '~' and control characters as %XX of their UTF-8 bytes; the rest as is
 * </pre>
 *
 * Pekko Persistence reserves {@code |} as its separator and the journal's persistence-id column holds
 * 255 characters; ids made only of letters, digits, {@code . _ -} and most punctuation keep the
 * persistence id they always had. Stateless.
 */
public final class GroupIds {
    public static final String PERSISTENCE_TYPE = "group";
    public static final String NAME_TYPE = "group-name";
    /** The journal's persistence_id column width (pekko-persistence-jdbc's schema). */
    static final int MAX_PERSISTENCE_ID_CHARS = 255;

    private static final String ENTITY_PREFIX = "g";
    private static final char HASHED = '~';
    private static final int MAX_KEY_CHARS = MAX_PERSISTENCE_ID_CHARS - PERSISTENCE_TYPE.length() - 1;

    private GroupIds() {}

    public static String entityId(String groupId) {
        return ENTITY_PREFIX + groupId;
    }

    public static String groupIdOfEntity(String entityId) {
        if (!entityId.startsWith(ENTITY_PREFIX)) {
            throw new IllegalArgumentException("not a group entity id: " + entityId);
        }
        return entityId.substring(ENTITY_PREFIX.length());
    }

    /** The entity part of the group's persistence id: escaped, or hashed when too long. */
    public static String persistenceKey(String groupId) {
        String escaped = escape(groupId);
        return escaped.length() <= MAX_KEY_CHARS ? escaped : HASHED + hash(groupId);
    }

    /** Whether the persistence key is a hash: the group id is then only in its {@link GroupNameRecord}. */
    public static boolean isHashed(String persistenceKey) {
        return !persistenceKey.isEmpty() && persistenceKey.charAt(0) == HASHED;
    }

    /** The group id of an escaped (not hashed) persistence key. */
    public static String groupIdOfKey(String persistenceKey) {
        if (isHashed(persistenceKey)) {
            throw new IllegalArgumentException("a hashed key names no group id: " + persistenceKey);
        }
        return unescape(persistenceKey);
    }

    /** The entity part of a long group id's name record: the hash of its persistence key. */
    public static String nameKey(String groupId) {
        return hash(groupId);
    }

    static String escape(String groupId) {
        StringBuilder out = new StringBuilder(groupId.length());
        for (int i = 0; i < groupId.length(); i++) {
            char c = groupId.charAt(i);
            if (c == '%' || c == '|' || c == HASHED || c < 0x20 || c == 0x7f) {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String unescape(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '%' && i + 2 < key.length()) {
                out.append((char) Integer.parseInt(key.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String hash(String groupId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(groupId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
