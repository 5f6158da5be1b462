package org.shardrerank.inference;

import org.apache.lucene.util.RamUsageEstimator;

import java.util.List;

/**
 * What scoring holds, in bytes, for the inference circuit breaker: a window's texts, token ids and rows on the heap,
 * and per model run its input tensors and the activations ONNX Runtime allocates natively.
 */
final class MemoryEstimates {
    /** Attention heads of BERT-base, MiniLM and BGE-small alike. */
    static final int DEFAULT_HEADS = 12;
    /** A cross-encoder's descriptor does not give its size: assume BERT-base (MiniLM-L6's 384 hidden units are fewer). */
    static final Shape BERT_BASE = new Shape(768, DEFAULT_HEADS);
    /** input_ids, attention_mask and token_type_ids as int64: once as Java arrays, once as ONNX Runtime tensors. */
    private static final long INPUT_BYTES_PER_TOKEN = 3 * 2 * Long.BYTES;
    private static final long CHUNK_BYTES = RamUsageEstimator.shallowSizeOfInstance(Chunk.class);

    private MemoryEstimates() {}

    /** The encoder dimensions activations grow with. */
    record Shape(int hiddenSize, int heads) {}

    static long text(String text) {
        return RamUsageEstimator.sizeOf(text);
    }

    static long ids(List<long[]> ids) {
        long bytes = 0;
        for (long[] a : ids) {
            bytes += RamUsageEstimator.sizeOf(a);
        }
        return bytes;
    }

    static long rows(List<Chunk> rows) {
        long bytes = 0;
        for (Chunk c : rows) {
            bytes += CHUNK_BYTES + RamUsageEstimator.sizeOf(c.ids()) + RamUsageEstimator.sizeOf(c.typeIds());
        }
        return bytes;
    }

    /**
     * One model run of {@code rows} x {@code paddedLength} tokens. Per token: the inputs, then in float32 one layer's
     * attention scores and their softmax (2 x heads x length: each token attends to every token, per head) and about six
     * hidden-size vectors (residual, query, key, value, context, layer norm); layers run one after another and ONNX
     * Runtime frees what the next one does not read. Checked against the RSS peak of the committed MiniLM-L6 int8
     * cross-encoder (384 hidden, 12 heads): 26 KB a token at 8 x 256 and 53 KB at 8 x 512, where this gives 34 and
     * 58 KB with its shape (43 and 68 KB with the BERT-base default). {@code outputBytesPerToken} adds outputs that
     * grow with the length (an embedder's token states).
     */
    static long batch(int rows, int paddedLength, Shape shape, long outputBytesPerToken) {
        long tokens = (long) rows * paddedLength;
        long floatsPerToken = 2L * shape.heads() * paddedLength + 6L * shape.hiddenSize();
        return tokens * (INPUT_BYTES_PER_TOKEN + Float.BYTES * floatsPerToken + outputBytesPerToken);
    }
}
