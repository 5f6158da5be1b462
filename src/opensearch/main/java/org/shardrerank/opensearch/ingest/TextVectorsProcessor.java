package org.shardrerank.opensearch.ingest;

import org.shardrerank.ingest.DocumentText;
import org.shardrerank.ingest.OnMissing;
import org.shardrerank.opensearch.util.Errors;
import org.opensearch.ingest.AbstractBatchingProcessor;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.embedding.TextRole;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The {@code text_vectors} ingest processor: fills a vector field from one or more text fields with a node-local
 * text embedding model. The documents of a bulk request are embedded together, in sub-batches of
 * {@code batch_size} documents, each one task on the plugin's inference thread pool (never the write or transport
 * thread). A document without text fails alone with a clear error, or is indexed without a vector
 * ({@code on_missing: skip}); it is never dropped from the bulk.
 */
public final class TextVectorsProcessor extends AbstractBatchingProcessor {
    public static final String TYPE = "text_vectors";

    private final EmbeddingService embeddings;
    private final String model;
    private final List<String> fields;
    private final String targetField;
    private final OnMissing onMissing;

    TextVectorsProcessor(String tag, String description, int batchSize, EmbeddingService embeddings, String model, List<String> fields,
                         String targetField, OnMissing onMissing) {
        super(tag, description, batchSize);
        this.embeddings = embeddings;
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
    public IngestDocument execute(IngestDocument document) {
        throw new UnsupportedOperationException("[" + TYPE + "] runs asynchronously");
    }

    @Override
    public void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        IngestDocumentWrapper one = new IngestDocumentWrapper(0, 0, document, null);
        subBatchExecute(List.of(one), done -> handler.accept(one.getException() == null ? one.getIngestDocument() : null, one.getException()));
    }

    @Override
    protected void subBatchExecute(List<IngestDocumentWrapper> batch, Consumer<List<IngestDocumentWrapper>> handler) {
        List<IngestDocumentWrapper> pending = new ArrayList<>(batch.size());
        List<String> texts = new ArrayList<>(batch.size());
        for (IngestDocumentWrapper w : batch) {
            if (w.getException() != null || w.getIngestDocument() == null) {
                continue; // failed earlier in the pipeline: passed on as it is
            }
            String text;
            try {
                IngestDocument doc = w.getIngestDocument();
                text = DocumentText.of(fields, f -> doc.hasField(f) ? doc.getFieldValue(f, Object.class) : null);
            } catch (IllegalArgumentException e) {
                w.update(w.getIngestDocument(), e);
                continue;
            }
            if (text == null) {
                if (onMissing == OnMissing.FAIL) {
                    w.update(w.getIngestDocument(), new IllegalArgumentException("[" + TYPE + "] document has no text in any of the fields "
                        + fields + " (set [on_missing] to [skip] to index such documents without [" + targetField + "])"));
                }
                continue;
            }
            pending.add(w);
            texts.add(text);
        }
        if (pending.isEmpty()) {
            handler.accept(batch);
            return;
        }
        embeddings.embed(model, TextRole.DOCUMENT, texts).whenComplete((vectors, failure) -> {
            if (failure != null) {
                Exception e = Errors.translate(failure);
                for (IngestDocumentWrapper w : pending) {
                    w.update(w.getIngestDocument(), e);
                }
                handler.accept(batch);
                return;
            }
            for (int i = 0; i < pending.size(); i++) {
                IngestDocumentWrapper w = pending.get(i);
                try {
                    w.getIngestDocument().setFieldValue(targetField, toList(vectors[i]));
                } catch (IllegalArgumentException e) {
                    w.update(w.getIngestDocument(), e); // e.g. the target path runs through a non-object value
                }
            }
            handler.accept(batch);
        });
    }

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
