package org.shardrerank.elasticsearch.rescore;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;
import org.elasticsearch.search.lookup.SearchLookup;
import org.elasticsearch.search.lookup.Source;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.Rescorer;
import org.shardrerank.elasticsearch.util.Errors;
import org.shardrerank.inference.InferenceCancelledException;
import org.shardrerank.rescore.RescoreExplainer;
import org.shardrerank.rescore.SourceTexts;
import org.shardrerank.rescore.WindowRescorer;
import org.shardrerank.scoring.CarriedScores;
import org.shardrerank.scoring.WindowCombiner;
import org.shardrerank.stats.StatName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Elasticsearch's rescorer API over the core's {@link WindowRescorer}: reads _source, lets the search stop the model runs
 * ({@link SearchCancellation}), translates the core's exceptions.
 */
final class CrossEncoderRescorer implements Rescorer {
    static final CrossEncoderRescorer INSTANCE = new CrossEncoderRescorer();

    private CrossEncoderRescorer() {}

    @Override
    public TopDocs rescore(TopDocs topDocs, IndexSearcher searcher, RescoreContext rescoreContext) throws IOException {
        CrossEncoderRescoreContext ctx = (CrossEncoderRescoreContext) rescoreContext;
        if (topDocs.scoreDocs.length == 0) {
            return topDocs;
        }
        SearchCancellation cancellation = new SearchCancellation(ctx);
        WindowRescorer.Outcome outcome;
        try {
            outcome = WindowRescorer.rescore(topDocs.scoreDocs, ctx.plan, ctx.node, texts(searcher, ctx), cancellation, ctx.explain());
        } catch (InferenceCancelledException e) {
            if (cancellation.searchTimedOut() && ctx.partialResultsAllowed()) {
                // the search's own timeout: this shard answers as one whose model timed out, in the band below every
                // reranked hit of every shard (its raw first-stage scores would outrank other shards' model scores)
                ctx.node.stats().increment(ctx.plan.request().model(), StatName.RESCORE_FALLBACKS);
                ctx.markFellBack();
                ctx.setRescoredDocs(CarriedScores.fellBack());
                return new TopDocs(topDocs.totalHits, WindowCombiner.notReranked(topDocs.scoreDocs));
            }
            throw cancellation.reason(e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw Errors.translate(e);
        }
        if (outcome.fellBack()) {
            ctx.markFellBack();
        }
        ctx.setRescoredDocs(outcome.carried());
        return new TopDocs(topDocs.totalHits, outcome.hits());
    }

    /** The fields' values from _source, joined as the model reads them. */
    private static WindowRescorer.TextSource texts(IndexSearcher searcher, CrossEncoderRescoreContext ctx) {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        SearchLookup lookup = ctx.shard.lookup();
        List<String> fields = ctx.plan.request().fields();
        return doc -> {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
            Source source;
            try {
                source = lookup.getSource(leaf, doc - leaf.docBase);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            StringBuilder text = new StringBuilder();
            for (String field : fields) {
                SourceTexts.append(text, source.extractValue(field, null));
            }
            return text.toString();
        };
    }

    @Override
    public Explanation explain(int doc, IndexSearcher searcher, RescoreContext rescoreContext, Explanation first) {
        CrossEncoderRescoreContext ctx = (CrossEncoderRescoreContext) rescoreContext;
        try {
            return RescoreExplainer.explain(doc, first, ctx.plan, ctx.node, ctx.fellBack(), ctx.isRescored(doc), ctx.carried());
        } catch (RuntimeException e) {
            throw Errors.translate(e);
        }
    }
}
