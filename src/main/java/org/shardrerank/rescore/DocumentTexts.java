package org.shardrerank.rescore;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.RamUsageEstimator;
import org.opensearch.search.lookup.SourceLookup;
import org.shardrerank.inference.MemoryCharge;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Reads the text a cross-encoder sees for a document: the request's fields from _source, in the order given. */
final class DocumentTexts {
    private DocumentTexts() {}

    /**
     * Texts of {@code docs} (top-level doc ids, best in ascending order for locality), each charged to {@code memory} as it
     * is read: a window of huge documents stops at the one that crosses the breaker's limit.
     */
    static List<String> load(IndexSearcher searcher, int[] docs, List<String> fields, MemoryCharge memory) {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        SourceLookup source = new SourceLookup();
        List<String> texts = new ArrayList<>(docs.length);
        for (int doc : docs) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
            source.setSegmentAndDocument(leaf, doc - leaf.docBase);
            StringBuilder text = new StringBuilder();
            for (String field : fields) {
                for (Object value : source.extractRawValues(field)) {
                    append(text, value);
                }
            }
            String s = text.toString();
            memory.add(RamUsageEstimator.sizeOf(s), "cross_encoder window texts");
            texts.add(s);
        }
        return texts;
    }

    private static void append(StringBuilder text, Object value) {
        if (value instanceof Collection<?> values) {
            for (Object v : values) {
                append(text, v);
            }
        } else if (value != null && value instanceof Map == false) {
            String s = value.toString();
            if (s.isEmpty() == false) {
                if (text.length() > 0) {
                    text.append('\n');
                }
                text.append(s);
            }
        }
    }
}
