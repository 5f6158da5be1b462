package org.shardrerank.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns single texts into model rows with a HuggingFace {@code tokenizer.json} (DJL): the tokenizer's own special
 * tokens ({@code [CLS] text [SEP]} for BERT) and truncation to the model's window. Thread-safe.
 */
final class TextTokenizer implements Closeable {
    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    static TextTokenizer load(Path tokenizerJson, int maxLength) throws IOException {
        return NativeLibraries.withPluginClassLoader(() -> new TextTokenizer(HuggingFaceTokenizer.builder()
            .optTokenizerPath(tokenizerJson)
            .optAddSpecialTokens(true)
            .optTruncation(true)
            .optMaxLength(maxLength)
            .optPadding(false)
            .build()));
    }

    /** One row per text, in order; {@code Chunk.doc} is the text's index. */
    List<Chunk> rows(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        List<Chunk> rows = new ArrayList<>(encodings.length);
        for (int i = 0; i < encodings.length; i++) {
            rows.add(new Chunk(i, 0, encodings[i].getIds(), encodings[i].getTypeIds()));
        }
        return rows;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
