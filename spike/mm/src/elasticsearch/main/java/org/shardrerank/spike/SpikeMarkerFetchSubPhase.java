package org.shardrerank.spike;

import org.apache.lucene.index.LeafReaderContext;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.fetch.FetchContext;
import org.elasticsearch.search.fetch.FetchSubPhase;
import org.elasticsearch.search.fetch.FetchSubPhaseProcessor;
import org.elasticsearch.search.fetch.StoredFieldsSpec;
import org.elasticsearch.search.rescore.RescoreContext;

import java.util.List;

/** Adds _rerank_shard_marker with the negative ids the query phase left in the rescored doc ids (no explain needed). */
final class SpikeMarkerFetchSubPhase implements FetchSubPhase {
    static final String FIELD = "_rerank_shard_marker";

    @Override
    public FetchSubPhaseProcessor getProcessor(FetchContext context) {
        List<RescoreContext> rescores = context.rescore();
        if (rescores == null) {
            return null;
        }
        for (RescoreContext r : rescores) {
            if (r instanceof SpikeRescorer.Context && r.getRescoredDocs() != null && r.isRescored(SpikeRescorer.MARKER)) {
                List<Object> negatives = r.getRescoredDocs().stream().filter(i -> i < 0).sorted().map(i -> (Object) i).toList();
                DocumentField field = new DocumentField(FIELD, negatives);
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
