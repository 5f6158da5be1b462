package org.shardrerank.rescore;

import org.shardrerank.inference.Pooling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Random valid cross_encoder requests, for the round trips of the core and of each engine's builder. */
public final class RandomRequests {
    private RandomRequests() {}

    public static CrossEncoderRequest crossEncoder(Random r) {
        List<String> fields = new ArrayList<>();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            fields.add(word(r, 1 + r.nextInt(8)));
        }
        ScoreMode mode = ScoreMode.values()[r.nextInt(ScoreMode.values().length)];
        boolean weights = mode == ScoreMode.COMBINE && r.nextBoolean();
        return new CrossEncoderRequest(word(r, 1 + r.nextInt(10)), word(r, 1 + r.nextInt(20)) + " q é", fields,
            r.nextBoolean() ? 8 + r.nextInt(505) : null, r.nextBoolean() ? r.nextInt(65) : null, 1 + r.nextInt(64),
            Pooling.values()[r.nextInt(Pooling.values().length)], mode, weights ? r.nextFloat() : null, weights ? r.nextFloat() + 0.5f : null,
            mode == ScoreMode.COMBINE ? r.nextFloat() + 0.01f : null, r.nextBoolean(), r.nextBoolean() ? r.nextFloat() : null,
            r.nextBoolean() ? 1 + r.nextInt(1024) : null, r.nextBoolean() ? (1 + r.nextInt(100_000)) + "ms" : null,
            OnTimeout.values()[r.nextInt(OnTimeout.values().length)]);
    }

    private static String word(Random r, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + r.nextInt(26)));
        }
        return s.toString().toLowerCase(Locale.ROOT);
    }
}
