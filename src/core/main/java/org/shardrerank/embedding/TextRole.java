package org.shardrerank.embedding;

/** What a text is to the model: some models (BGE v1.5, E5) want searches and documents prefixed differently. */
public enum TextRole {
    QUERY,
    DOCUMENT
}
