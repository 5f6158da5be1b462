package org.shardrerank.opensearch.rescore;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;
import org.opensearch.search.lookup.SourceLookup;
import org.opensearch.search.rescore.RescoreContext;
import org.opensearch.search.rescore.Rescorer;
import org.shardrerank.opensearch.util.Errors;
import org.shardrerank.rescore.RescoreExplainer;
import org.shardrerank.rescore.SourceTexts;
import org.shardrerank.rescore.WindowRescorer;

import java.util.List;

/** OpenSearch's rescorer API over the core's {@link WindowRescorer}: reads _source, translates the core's exceptions. */
final class CrossEncoderRescorer implements Rescorer {
    static final CrossEncoderRescorer INSTANCE = new CrossEncoderRescorer();

    private CrossEncoderRescorer() {}

    @Override
    public TopDocs rescore(TopDocs topDocs, IndexSearcher searcher, RescoreContext rescoreContext) {
        CrossEncoderRescoreContext ctx = (CrossEncoderRescoreContext) rescoreContext;
        if (topDocs.scoreDocs.length == 0) {
            return topDocs;
        }
        WindowRescorer.Outcome outcome;
        try {
            outcome = WindowRescorer.rescore(topDocs.scoreDocs, ctx.plan, ctx.node, texts(searcher, ctx.plan.request().fields()),
                ctx.cancellation(), ctx.explain());
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
    private static WindowRescorer.TextSource texts(IndexSearcher searcher, List<String> fields) {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        SourceLookup source = new SourceLookup();
        return doc -> {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
            source.setSegmentAndDocument(leaf, doc - leaf.docBase);
            StringBuilder text = new StringBuilder();
            for (String field : fields) {
                SourceTexts.append(text, source.extractRawValues(field));
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
