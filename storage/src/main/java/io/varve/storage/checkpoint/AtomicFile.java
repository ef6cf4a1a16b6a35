package io.varve.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.kafka.common.utils.Utils;

/**
 * Replaces a small file's content atomically, as Kafka does for its checkpoint files: the text goes to
 * {@code <file>.tmp}, which is fsynced and then moved over the target (atomically where the file system
 * allows), and the directory is fsynced so the rename itself survives a crash. A reader thus sees either the
 * old or the new content, never a mix. A failed write removes the temporary file.
 */
final class AtomicFile {
    private AtomicFile() {}

    static Path tmpFileOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    static void write(Path file, String text) throws IOException {
        Path tmpFile = tmpFileOf(file);
        try {
            try (FileChannel channel = FileChannel.open(
                    tmpFile,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Utils.atomicMoveWithFallback(tmpFile, file, true);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmpFile);
            } catch (IOException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
    }
}
