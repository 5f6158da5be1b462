import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tokenizes texts with DJL exactly as the plugin loads tokenizer.json (no special tokens, no truncation,
 * no padding). Input: JSON lines {"text": ...} (optionally "pair": second text, encoded as a pair with
 * special tokens). Output: one line per input, space-separated ids ("|" then type ids for pairs).
 * Usage: java -Dai.djl.offline=true -cp <jars> DjlTokens.java tokenizer.json in.jsonl out.txt
 */
public class DjlTokens {
    public static void main(String[] args) throws Exception {
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                .optTokenizerPath(Path.of(args[0]))
                .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build();
             BufferedReader in = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8);
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                String text = o.get("text").getAsString();
                Encoding e = o.has("pair") ? tok.encode(text, o.get("pair").getAsString(), true, false)
                                           : tok.encode(text, false, false);
                StringBuilder sb = new StringBuilder();
                for (long id : e.getIds()) sb.append(sb.length() == 0 ? "" : " ").append(id);
                if (o.has("pair")) {
                    sb.append(" |");
                    for (long t : e.getTypeIds()) sb.append(' ').append(t);
                }
                out.println(sb);
            }
        }
    }
}
