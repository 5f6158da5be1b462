package org.shardrerank.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns (query, document) into model rows with a HuggingFace {@code tokenizer.json} (DJL). The query is never
 * truncated; a document longer than the model's window is cut into overlapping windows ("chunks").
 * Thread-safe: the native tokenizer is shared by all shards and threads.
 */
public final class PairTokenizer implements Closeable {
    private static final String PROBE_QUERY = "query";
    private static final String PROBE_DOC = "document";

    private final HuggingFaceTokenizer tokenizer;
    private final PairTemplate template;

    private PairTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        Encoding pair = tokenizer.encode(PROBE_QUERY, PROBE_DOC, true, false);
        this.template = new PairTemplate(pair.getIds(), pair.getTypeIds(), ids(PROBE_QUERY), ids(PROBE_DOC));
    }

    public static PairTokenizer load(Path tokenizerJson) throws IOException {
        return NativeLibraries.withPluginClassLoader(() -> new PairTokenizer(HuggingFaceTokenizer.builder()
            .optTokenizerPath(tokenizerJson)
            .optAddSpecialTokens(false)
            .optTruncation(false)
            .optPadding(false)
            .build()));
    }

    /** Word-piece ids of {@code text}, without special tokens. */
    public long[] ids(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /**
     * Ids of many texts, tokenized in parallel by the native library. Reads only the ids of each encoding:
     * DJL's {@link Encoding} would also copy tokens, offsets and masks across JNI, which cost most of the time.
     */
    List<long[]> ids(List<String> texts) {
        long[] encodings = TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), texts.toArray(new String[0]), false);
        List<long[]> out = new ArrayList<>(encodings.length);
        try {
            for (long e : encodings) {
                out.add(TokenizersLibrary.LIB.getTokenIds(e));
            }
        } finally {
            for (long e : encodings) {
                TokenizersLibrary.LIB.deleteEncoding(e);
            }
        }
        return out;
    }

    public int specialTokens() {
        return template.specialTokens();
    }

    /**
     * The rows for one document: windows of at most {@code maxLength} tokens that all carry the whole query,
     * consecutive windows overlapping by {@code stride} document tokens, at most {@code maxChunks} of them.
     */
    List<Chunk> chunks(int doc, long[] query, long[] docIds, int maxLength, int stride, int maxChunks) {
        int budget = maxLength - query.length - template.specialTokens();
        if (budget <= stride) {
            throw new IllegalArgumentException("the query leaves " + Math.max(budget, 0) + " document tokens per window of "
                + maxLength + ", not more than the stride " + stride);
        }
        List<Chunk> chunks = new ArrayList<>();
        int from = 0;
        do {
            int to = Math.min(docIds.length, from + budget);
            chunks.add(template.pair(doc, chunks.size(), query, docIds, from, to));
            if (to == docIds.length) {
                break;
            }
            from = to - stride;
        } while (chunks.size() < maxChunks);
        return chunks;
    }

    /** The row the tokenizer itself makes for a pair, without truncation (for tests of the template). */
    long[][] referencePair(String query, String doc) {
        Encoding e = tokenizer.encode(query, doc, true, false);
        return new long[][] { e.getIds(), e.getTypeIds() };
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
