package org.shardrerank.spike.os;

import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.shardrerank.spike.SpikeRrfQuery;

import java.util.List;

/** Compile check only: the OpenSearch adapter links the same core class (Lucene 10.4.0 on both sides). */
public class OsSpikePlugin extends Plugin implements SearchPlugin {
    public static Query demo() {
        return new SpikeRrfQuery(List.of(new MatchAllDocsQuery()), 10);
    }
}
