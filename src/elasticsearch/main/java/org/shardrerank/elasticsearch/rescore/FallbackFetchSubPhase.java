package org.shardrerank.elasticsearch.rescore;

import org.apache.lucene.index.LeafReaderContext;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.fetch.FetchContext;
import org.elasticsearch.search.fetch.FetchSubPhase;
import org.elasticsearch.search.fetch.FetchSubPhaseProcessor;
import org.elasticsearch.search.fetch.StoredFieldsSpec;
import org.elasticsearch.search.rescore.RescoreContext;

import java.util.List;

/**
 * Marks the hits of shards whose cross_encoder fell back to the first-stage order with a field
 * {@code _rerank_fallback} (e.g. {@code ["timeout"]}), so a client sees which results were not reranked.
 * The query phase records the fallback in the rescored doc ids, which Elasticsearch carries to the fetch phase
 * even when it runs in a later request.
 */
public final class FallbackFetchSubPhase implements FetchSubPhase {
    public static final String FIELD = "_rerank_fallback";

    @Override
    public FetchSubPhaseProcessor getProcessor(FetchContext context) {
        List<RescoreContext> rescores = context.rescore();
        if (rescores == null) {
            return null;
        }
        for (RescoreContext r : rescores) {
            if (r instanceof CrossEncoderRescoreContext ce && ce.fellBack()) {
                DocumentField field = new DocumentField(FIELD, List.of("timeout"));
                return new FetchSubPhaseProcessor() {
                    @Override
                    public void setNextReader(LeafReaderContext readerContext) {}

                    @Override
                    public void process(HitContext hit) {
                        hit.hit().setDocumentField(field);
                    }

                    @Override
                    public StoredFieldsSpec storedFieldsSpec() {
                        return StoredFieldsSpec.NO_REQUIREMENTS;
                    }
                };
            }
        }
        return null;
    }
}
