package org.shardrerank.elasticsearch;

import org.elasticsearch.common.logging.LogConfigurator;
import org.junit.BeforeClass;
import org.shardrerank.CoreTestCase;

/**
 * Base of this module's unit tests: the core's plain JUnit base, plus Elasticsearch's logging, which its server classes
 * need before they load (Elasticsearch's test framework is not on Maven Central; its nodes set this up themselves).
 */
public abstract class EsTestCase extends CoreTestCase {
    @BeforeClass
    public static void elasticsearchLogging() {
        LogConfigurator.configureESLogging();
    }
}
