package org.shardrerank.scoring;

import org.junit.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

public class CarriedScoresTests {
    @Test
    public void roundTripIsExact() {
        Random random = new Random(7);
        Map<Integer, CarriedScores.Doc> docs = new HashMap<>();
        while (docs.size() < CarriedScores.MAX_WINDOW) {
            float model = random.nextBoolean() ? (float) random.nextGaussian() * 10 : Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(model)) {
                continue;
            }
            docs.put(random.nextInt(Integer.MAX_VALUE), new CarriedScores.Doc(random.nextFloat() * -3000, model, 1 + random.nextInt(64),
                random.nextInt(65) - 1, random.nextInt(70_000)));
        }
        Set<Integer> carried = CarriedScores.encode(docs, true);
        Map<Integer, CarriedScores.Doc> back = CarriedScores.decode(carried);
        assertEquals(docs.size(), back.size());
        docs.forEach((doc, d) -> {
            CarriedScores.Doc b = back.get(doc);
            assertEquals(Float.floatToRawIntBits(d.finalScore()), Float.floatToRawIntBits(b.finalScore()));
            assertEquals(Float.floatToRawIntBits(d.model()), Float.floatToRawIntBits(b.model()));
            assertEquals(d.chunks(), b.chunks());
            assertEquals(d.decisive(), b.decisive());
            assertEquals(Math.min(d.docTokens(), 0xFFFF), b.docTokens());
        });
        assertFalse(CarriedScores.fellBack(carried));
    }

    @Test
    public void withoutExplainOnlyTheDocIdsTravel() {
        Map<Integer, CarriedScores.Doc> docs = Map.of(3, new CarriedScores.Doc(1f, 1f, 1, 0, 5), 9, new CarriedScores.Doc(2f, 2f, 1, 0, 5));
        assertEquals(Set.of(3, 9), CarriedScores.encode(docs, false));
        assertTrue(CarriedScores.decode(Set.of(3, 9)).isEmpty());
    }

    @Test
    public void fallbackMarker() {
        assertTrue(CarriedScores.fellBack(CarriedScores.fellBack()));
        assertTrue(CarriedScores.decode(CarriedScores.fellBack()).isEmpty());
    }
}
