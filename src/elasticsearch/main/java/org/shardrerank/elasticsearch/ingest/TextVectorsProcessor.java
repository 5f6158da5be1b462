package org.shardrerank.elasticsearch.ingest;

import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.ingest.AbstractProcessor;
import org.elasticsearch.ingest.IngestDocument;
import org.shardrerank.ingest.DocumentText;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.ingest.OnMissing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The {@code text_vectors} ingest processor: fills a vector field from one or more text fields with a node-local text
 * embedding model. Asynchronous: Elasticsearch hands it one document at a time, and a {@link DocumentBatcher} embeds the
 * documents that arrive together in batches of up to {@code batch_size}, each one task in the ingest lane of the
 * plugin's inference thread pool (never the write or transport thread), which yields to searches between model runs;
 * each document's pipeline goes on from there in its caller's thread context. A document without text fails alone with
 * a clear error, or is indexed without a vector ({@code on_missing: skip}); a failed batch fails its documents.
 */
public final class TextVectorsProcessor extends AbstractProcessor {
    public static final String TYPE = "text_vectors";

    private final DocumentBatcher batcher;
    private final ThreadContext threadContext;
    private final String model;
    private final List<String> fields;
    private final String targetField;
    private final OnMissing onMissing;
    private final int batchSize;

    TextVectorsProcessor(String tag, String description, EmbeddingService embeddings, ThreadContext threadContext, String model,
                         List<String> fields, String targetField, OnMissing onMissing, int batchSize, int maxInFlight) {
        super(tag, description);
        this.batcher = new DocumentBatcher(embeddings, model, batchSize, maxInFlight);
        this.batchSize = batchSize;
        this.threadContext = threadContext;
        this.model = model;
        this.fields = List.copyOf(fields);
        this.targetField = targetField;
        this.onMissing = onMissing;
    }

    @Override
    public String getType() {
        return TYPE;
    }

    @Override
    public boolean isAsync() {
        return true;
    }

    @Override
    public IngestDocument execute(IngestDocument document) {
        throw new UnsupportedOperationException("[" + TYPE + "] runs asynchronously");
    }

    @Override
    public void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        String text;
        try {
            text = DocumentText.of(fields, f -> document.hasField(f) ? document.getFieldValue(f, Object.class) : null);
        } catch (IllegalArgumentException e) {
            handler.accept(null, e);
            return;
        }
        if (text == null) {
            if (onMissing == OnMissing.FAIL) {
                handler.accept(null, new IllegalArgumentException("[" + TYPE + "] document has no text in any of the fields " + fields
                    + " (set [on_missing] to [skip] to index such documents without [" + targetField + "])"));
            } else {
                handler.accept(document, null);
            }
            return;
        }
        Supplier<ThreadContext.StoredContext> callersContext = threadContext.newRestorableContext(false);
        batcher.add(text, (vector, failure) -> {
            Exception error = failure;
            if (error == null) {
                try {
                    document.setFieldValue(targetField, toList(vector));
                } catch (IllegalArgumentException e) {
                    error = e; // e.g. the target path runs through a non-object value
                }
            }
            try (ThreadContext.StoredContext ignored = callersContext.get()) {
                handler.accept(error == null ? document : null, error);
            }
        });
    }

    /** Ingest values are lists: Elasticsearch rejects a {@code float[]}. */
    private static List<Float> toList(float[] vector) {
        List<Float> out = new ArrayList<>(vector.length);
        for (float v : vector) {
            out.add(v);
        }
        return out;
    }

    String model() {
        return model;
    }

    List<String> fields() {
        return fields;
    }

    String targetField() {
        return targetField;
    }

    OnMissing onMissing() {
        return onMissing;
    }

    int batchSize() {
        return batchSize;
    }
}
