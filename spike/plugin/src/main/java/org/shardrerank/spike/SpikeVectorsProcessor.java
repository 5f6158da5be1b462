package org.shardrerank.spike;

import org.elasticsearch.ingest.AbstractProcessor;
import org.elasticsearch.ingest.IngestDocument;
import org.elasticsearch.ingest.Processor;
import org.elasticsearch.threadpool.ThreadPool;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** Async ingest processor: embeds [field] into [target_field] on the plugin's own executor. */
final class SpikeVectorsProcessor extends AbstractProcessor {
    static final String TYPE = "spike_vectors";
    final String field, target;
    final int dims;
    final Supplier<ThreadPool> threadPool;

    SpikeVectorsProcessor(String tag, String description, String field, String target, int dims, Supplier<ThreadPool> threadPool) {
        super(tag, description);
        this.field = field;
        this.target = target;
        this.dims = dims;
        this.threadPool = threadPool;
    }

    @Override
    public boolean isAsync() {
        return true;
    }

    @Override
    public void execute(IngestDocument doc, BiConsumer<IngestDocument, Exception> handler) {
        Probe.INGEST_THREADS.add("execute called on " + Thread.currentThread().getName());
        String text = doc.getFieldValue(field, String.class);
        threadPool.get().executor(SpikePlugin.EXECUTOR).execute(() -> {
            try {
                Probe.INGEST_THREADS.add("embedded on " + Thread.currentThread().getName());
                if (text.contains("FAIL")) {
                    throw new IllegalArgumentException("[spike_vectors] asked to fail");
                }
                float[] v = SpikeVectorBuilder.embed(text, dims);
                java.util.List<Float> list = new java.util.ArrayList<>(v.length);
                for (float f : v) {
                    list.add(f);
                }
                doc.setFieldValue(target, list);
                handler.accept(doc, null);
            } catch (Exception e) {
                handler.accept(null, e);
            }
        });
    }

    @Override
    public String getType() {
        return TYPE;
    }

    static Processor.Factory factory(Supplier<ThreadPool> threadPool) {
        return (factories, tag, description, config, projectId) -> {
            String field = (String) config.remove("field");
            String target = (String) config.remove("target_field");
            Object dims = config.remove("dims");
            return new SpikeVectorsProcessor(tag, description, field, target, dims == null ? 3 : ((Number) dims).intValue(), threadPool);
        };
    }
}
