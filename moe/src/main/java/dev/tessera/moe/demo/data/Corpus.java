package dev.tessera.moe.demo.data;

import java.util.Iterator;
import java.util.List;

/** Tagged training text with a held-out split that shares nothing with the training stream. */
public interface Corpus {
    /** The kinds' names; a {@link Sample#kind()} indexes this list. */
    List<String> kinds();

    /** An endless training stream, the same for the same corpus (seed, files). */
    Iterator<Sample> train();

    /**
     * The first {@code max} held-out samples (fewer when the corpus has fewer), the same list every
     * call; none of them can come out of {@link #train()}.
     */
    List<Sample> heldOut(int max);
}
