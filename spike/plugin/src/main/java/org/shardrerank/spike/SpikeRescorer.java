package org.shardrerank.spike;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.lookup.Source;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.Rescorer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads _source for the window, scores with the ONNX model, carries per-shard numbers in the rescored doc ids. */
final class SpikeRescorer implements Rescorer {
    static final SpikeRescorer INSTANCE = new SpikeRescorer();
    /** Marker ids: no document has a negative id. */
    static final int MARKER = -7;

    static final class Context extends RescoreContext {
        final SpikeRescorerBuilder request;
        final SearchExecutionContext shard;

        Context(int windowSize, SpikeRescorerBuilder request, SearchExecutionContext shard) {
            super(windowSize, INSTANCE);
            this.request = request;
            this.shard = shard;
        }
    }

    @Override
    public TopDocs rescore(TopDocs topDocs, IndexSearcher searcher, RescoreContext rescoreContext) throws IOException {
        Context ctx = (Context) rescoreContext;
        Probe.MISC.put("rescore_thread", Thread.currentThread().getName());
        Probe.MISC.put("rescore_searcher_class", searcher.getClass().getName());
        long end = System.nanoTime() + ctx.request.sleepMs * 1_000_000L;
        int loops = 0;
        while (System.nanoTime() < end) {
            try {
                ctx.checkCancellation();
            } catch (RuntimeException e) {
                Probe.MISC.put("rescore_cancellation", "checkCancellation threw after " + loops + " loops: " + e);
                throw e;
            }
            loops++;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        int window = Math.min(ctx.getWindowSize(), topDocs.scoreDocs.length);
        ScoreDoc[] hits = Arrays.copyOf(topDocs.scoreDocs, topDocs.scoreDocs.length);
        List<String> texts = new ArrayList<>(window);
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        for (int i = 0; i < window; i++) {
            int doc = hits[i].doc;
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
            Source source = ctx.shard.lookup().getSource(leaf, doc - leaf.docBase);
            Object v = source.extractValue(ctx.request.field, null);
            texts.add(v == null ? "" : v.toString());
        }
        float[] scores;
        NativeModel model = NativeModel.INSTANCE;
        try {
            scores = model == null ? lengths(texts) : model.score(ctx.request.queryText, texts);
        } catch (Exception e) {
            throw new IOException(e);
        }
        Set<Integer> rescored = new HashSet<>();
        for (int i = 0; i < window; i++) {
            hits[i] = new ScoreDoc(hits[i].doc, scores[i], hits[i].shardIndex);
            rescored.add(hits[i].doc);
        }
        // per-shard numbers for explain in a later fetch phase: the marker and -(1000 + window)
        rescored.add(MARKER);
        rescored.add(-(1000 + window));
        ctx.setRescoredDocs(rescored);
        Arrays.sort(hits, 0, window, (a, b) -> Float.compare(b.score, a.score));
        return new TopDocs(topDocs.totalHits, hits);
    }

    private static float[] lengths(List<String> texts) {
        float[] s = new float[texts.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = texts.get(i).length();
        }
        return s;
    }

    @Override
    public Explanation explain(int doc, IndexSearcher searcher, RescoreContext rescoreContext, Explanation first) {
        Context ctx = (Context) rescoreContext;
        Set<Integer> ids = ctx.getRescoredDocs();
        Set<Integer> negatives = new TreeSet<>();
        if (ids != null) {
            ids.stream().filter(i -> i < 0).forEach(negatives::add);
        }
        String what = "spike_rescore explain: thread=" + Thread.currentThread().getName() + " isRescored(doc)=" + ctx.isRescored(doc)
            + " marker=" + ctx.isRescored(MARKER) + " negatives=" + negatives + " rescoredDocs.size=" + (ids == null ? "null" : ids.size());
        return Explanation.match(first.getValue(), what, first);
    }
}
