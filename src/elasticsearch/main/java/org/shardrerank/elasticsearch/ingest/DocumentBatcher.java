package org.shardrerank.elasticsearch.ingest;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.shardrerank.elasticsearch.util.Errors;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.embedding.TextRole;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Embeds the documents a processor is handed one at a time in batches, without a timer: at most {@code maxInFlight}
 * batches run at once; documents that arrive meanwhile wait, and the next free slot takes up to {@code batchSize} of
 * them. A lone document goes at once; a bulk request (Elasticsearch starts all its documents' pipelines together) becomes
 * a few batches instead of one inference request per document, which would overrun the inference queue.
 */
final class DocumentBatcher {
    private static final Logger logger = LogManager.getLogger(DocumentBatcher.class);

    private final EmbeddingService embeddings;
    private final String model;
    private final int batchSize;
    private final int maxInFlight;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;

    /** A document's text and what to do with its vector (or the failure of its batch). */
    private record Pending(String text, BiConsumer<float[], Exception> done) {}

    DocumentBatcher(EmbeddingService embeddings, String model, int batchSize, int maxInFlight) {
        this.embeddings = embeddings;
        this.model = model;
        this.batchSize = batchSize;
        this.maxInFlight = maxInFlight;
    }

    /** Queues {@code text}; {@code done} is called once, on an inference thread (or the caller's, if it fails at once). */
    void add(String text, BiConsumer<float[], Exception> done) {
        List<Pending> batch;
        synchronized (this) {
            waiting.addLast(new Pending(text, done));
            batch = nextBatch();
        }
        send(batch);
    }

    /** Under the lock: the next batch when a slot is free, else null. */
    private List<Pending> nextBatch() {
        if (inFlight >= maxInFlight || waiting.isEmpty()) {
            return null;
        }
        inFlight++;
        List<Pending> batch = new ArrayList<>(Math.min(batchSize, waiting.size()));
        while (batch.size() < batchSize && waiting.isEmpty() == false) {
            batch.add(waiting.pollFirst());
        }
        return batch;
    }

    private void send(List<Pending> batch) {
        if (batch == null) {
            return;
        }
        List<String> texts = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            texts.add(p.text());
        }
        CompletableFuture<float[][]> vectors;
        try {
            vectors = embeddings.embed(model, TextRole.DOCUMENT, texts);
        } catch (RuntimeException e) {
            vectors = CompletableFuture.failedFuture(e);
        }
        vectors.whenComplete((v, failure) -> {
            List<Pending> next;
            synchronized (this) {
                inFlight--;
                next = nextBatch();
            }
            send(next); // first, so the inference threads stay busy while these documents go on
            Exception error = failure == null ? null : Errors.translate(failure);
            for (int i = 0; i < batch.size(); i++) {
                try {
                    batch.get(i).done().accept(error == null ? v[i] : null, error);
                } catch (RuntimeException e) {
                    logger.warn("[" + TextVectorsProcessor.TYPE + "] a document's pipeline failed after embedding", e); // the others go on
                }
            }
        });
    }
}
