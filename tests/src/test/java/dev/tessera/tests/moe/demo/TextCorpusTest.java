package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.demo.data.Corpus;
import dev.tessera.moe.demo.data.DataSource;
import dev.tessera.moe.demo.data.Sample;
import dev.tessera.moe.demo.data.TextCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A corpus read from a folder: kinds per file, held-out tails, windows on character boundaries. */
class TextCorpusTest {
    @TempDir
    Path folder;

    /** 900 bytes of 'a' then 100 of 'b': the held-out tenth is exactly the b's. */
    private static String aThenB() {
        return "a".repeat(900) + "b".repeat(100);
    }

    @Test
    void eachFileIsAKindAndItsLastTenthIsHeldOut() throws IOException {
        Files.writeString(folder.resolve("ab.txt"), aThenB());
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("sub/cd.txt"), "c".repeat(450) + "d".repeat(50));
        Files.writeString(folder.resolve(".hidden"), "ignored");
        Files.createDirectories(folder.resolve(".git"));
        Files.writeString(folder.resolve(".git/config"), "ignored");
        Files.writeString(folder.resolve("empty.txt"), "");
        TextCorpus corpus = TextCorpus.open(folder, 1, 32);
        assertEquals(List.of("ab.txt", "sub/cd.txt"), corpus.kinds());

        Iterator<Sample> train = corpus.train();
        int[] perKind = new int[2];
        for (int i = 0; i < 2000; i++) {
            Sample s = train.next();
            perKind[s.kind()]++;
            String text = s.text();
            assertFalse(s.whole());
            assertTrue(text.length() == 32, text);
            assertTrue(text.matches(s.kind() == 0 ? "a+" : "c+"), "training windows never reach the held-out tail: " + text);
        }
        assertEquals(2.0 / 3, perKind[0] / 2000.0, 0.05, "files drawn by their training bytes");

        List<Sample> heldOut = corpus.heldOut(100);
        StringBuilder ab = new StringBuilder();
        StringBuilder cd = new StringBuilder();
        heldOut.forEach(s -> (s.kind() == 0 ? ab : cd).append(s.text()));
        assertEquals("b".repeat(100), ab.toString(), "the held-out windows are the tail, whole");
        assertEquals("d".repeat(50), cd.toString());
        assertEquals(List.of(0, 1, 0, 1, 0, 0), heldOut.stream().map(Sample::kind).toList(), "round-robin over files");
        assertEquals(heldOut.subList(0, 3), corpus.heldOut(3));
    }

    @Test
    void theSameSeedGivesTheSameWindows() throws IOException {
        Files.writeString(folder.resolve("t.txt"), "the quick brown fox jumps over the lazy dog. ".repeat(40));
        Iterator<Sample> a = TextCorpus.open(folder, 9, 20).train();
        Iterator<Sample> b = TextCorpus.open(folder, 9, 20).train();
        for (int i = 0; i < 200; i++) {
            assertEquals(a.next(), b.next());
        }
    }

    @Test
    void windowsNeverCutACharacter() throws IOException {
        Path file = folder.resolve("unicode.txt");
        Files.writeString(file, "héllo wörld ✓ 𝄞 naïve ".repeat(60));
        TextCorpus corpus = TextCorpus.open(file, 2, 7);
        assertEquals(List.of("unicode.txt"), corpus.kinds(), "a single file is named by its file name");
        Iterator<Sample> train = corpus.train();
        for (int i = 0; i < 2000; i++) {
            assertStrictUtf8(train.next().bytes());
        }
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        for (Sample s : corpus.heldOut(1000)) {
            assertStrictUtf8(s.bytes());
            assertTrue(s.bytes().length <= 7);
            tail.writeBytes(s.bytes());
        }
        byte[] all = Files.readAllBytes(file);
        byte[] tailBytes = tail.toByteArray();
        assertTrue(tailBytes.length >= all.length / 10 && tailBytes.length < all.length / 10 + 4);
        assertArrayEquals(Arrays.copyOfRange(all, all.length - tailBytes.length, all.length), tailBytes);
    }

    private static void assertStrictUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new AssertionError("not whole UTF-8 characters: " + Arrays.toString(bytes), e);
        }
    }

    @Test
    void manyFilesShareOneKind() throws IOException {
        for (int f = 0; f <= TextCorpus.MAX_KINDS; f++) {
            Files.writeString(folder.resolve("f" + f + ".txt"), "file " + f + " ".repeat(30));
        }
        assertEquals(List.of("text"), TextCorpus.open(folder, 1, 16).kinds());
    }

    @Test
    void badInputsSayWhatIsWrong() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> TextCorpus.open(folder.resolve("nope"), 1, 16));
        assertTrue(missing.getMessage().contains("no such file or folder"), missing.getMessage());
        IOException empty = assertThrows(IOException.class, () -> TextCorpus.open(folder, 1, 16));
        assertTrue(empty.getMessage().contains("no files"), empty.getMessage());
        Path binary = folder.resolve("binary.bin");
        Files.write(binary, new byte[] {'o', 'k', (byte) 0xC3, 0x28});
        IOException notUtf8 = assertThrows(IOException.class, () -> TextCorpus.open(folder, 1, 16));
        assertTrue(notUtf8.getMessage().contains("binary.bin") && notUtf8.getMessage().contains("UTF-8"), notUtf8.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TextCorpus.open(folder, 1, 3));
    }

    @Test
    void theDataFlagNamesSyntheticOrText() throws IOException {
        assertInstanceOf(DataSource.Synthetic.class, DataSource.parse("synthetic"));
        Files.writeString(folder.resolve("t.txt"), "some text to read, long enough to hold out a tail");
        DataSource text = DataSource.parse("text:" + folder);
        assertEquals(new DataSource.Text(folder), text);
        Corpus corpus = text.open(1, 16);
        assertEquals(List.of("t.txt"), corpus.kinds());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataSource.parse("text:" + folder.resolve("x")))
                .getMessage().contains("no such file"));
        assertThrows(IllegalArgumentException.class, () -> DataSource.parse("text:"));
        assertThrows(IllegalArgumentException.class, () -> DataSource.parse("wiki"));
    }
}
