package org.shardrerank.model;

import org.shardrerank.util.StatusException;
import org.shardrerank.inference.MemoryBudget;
import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.inference.TestRuns;
import org.apache.lucene.util.IOUtils;
import org.shardrerank.TestModels;
import org.shardrerank.inference.GatedExecutor;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.ModelRuntime;
import org.shardrerank.inference.PairScore;
import org.shardrerank.inference.RuntimeLifetimeTests;
import org.shardrerank.inference.Pooling;
import org.shardrerank.inference.ScoreOptions;
import org.junit.After;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Load, unload and reload of a serving model, and versions retired only when their last user is done. */
public class ModelLifecycleTests extends CoreTestCase {
    private static final MemoryBudget NO_LIMIT = MemoryBudget.UNLIMITED;
    private static final String MODEL = "managed";
    private static final String QUERY = "do goldfish grow";
    private static final List<String> DOCS = List.of("goldfish grow in ponds", "cats sleep");
    private static final ScoreOptions OPTIONS = new ScoreOptions(64, 8, 4, Pooling.MAX, 8, 8192, TimeUnit.MINUTES.toNanos(1));

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<String> loadFailures = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @After
    public void stopPool() throws InterruptedException {
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private ModelRegistry registry(Path root) {
        return new ModelRegistry(root, new InferenceEnvironment(false, 0, 1), clock::get, loadFailures::add);
    }

    private static float[] score(ModelRegistry.Lease lease, Executor executor) {
        List<PairScore> scores = lease.model().encoder().score(QUERY, DOCS, OPTIONS, TestRuns.on(executor), NO_LIMIT).scores();
        return new float[] { scores.get(0).score(), scores.get(1).score() };
    }

    private float[] score(ModelRegistry r) {
        try (ModelRegistry.Lease lease = r.acquire(MODEL)) {
            return score(lease, pool);
        }
    }

    private static void assertAlive(ModelRuntime runtime) {
        runtime.acquire().close();
    }

    private static void corrupt(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
    }

    @Test

    public void testReloadSwapsInTheNewVersionAndRetiresTheOld() throws IOException {
        Path root = createTempDir();
        ModelRegistryTests.install(root, "overlap-logit", MODEL);
        try (ModelRegistry r = registry(root)) {
            ModelChange load = r.load(MODEL);
            assertEquals(ModelState.NOT_LOADED, load.before());
            assertEquals(ModelState.LOADED, load.after());
            assertEquals(1, load.generation());
            assertNull(load.error());
            assertEquals("3 query terms found, 5 document tokens", 2.995f, score(r)[0], 1e-5);
            ModelRuntime first;
            try (ModelRegistry.Lease lease = r.acquire(MODEL)) {
                first = lease.model().runtime();
            }

            // the operator replaces the files: same name, another model (two-class softmax head)
            ModelRegistryTests.install(root, "overlap-2class", MODEL);
            ModelChange reload = r.reload(MODEL);
            assertEquals(ModelState.LOADED, reload.before());
            assertEquals(ModelState.LOADED, reload.after());
            assertEquals(2, reload.generation());
            assertNull(reload.error());
            assertEquals(r.status().get(0).descriptor().sha256(), reload.sha256());
            assertEquals("binary_softmax", r.status().get(0).descriptor().output().toString());
            float[] scores = score(r);
            assertTrue("a probability now: " + scores[0], scores[0] > 0.99f && scores[0] < 1f);
            RuntimeLifetimeTests.assertFreed(first);
            assertEquals(2, r.servingGeneration(MODEL));

            ModelChange again = r.load(MODEL);
            assertEquals("load of a serving model reports it", ModelState.LOADED, again.after());
            assertEquals(2, again.generation());
            assertEquals(List.of(), loadFailures);
        }
    }

    @Test

    public void testFailedReloadKeepsThePreviousVersionServing() throws IOException {
        Path root = createTempDir();
        Path dir = ModelRegistryTests.install(root, "overlap-logit", MODEL);
        try (ModelRegistry r = registry(root)) {
            float[] before = score(r);
            Files.copy(TestModels.folder("overlap-2class").resolve("model.onnx"), dir.resolve("model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
            ModelChange reload = r.reload(MODEL);
            assertEquals(ModelState.LOADED, reload.before());
            assertEquals(ModelState.LOADED, reload.after());
            assertEquals(1, reload.generation());
            assertTrue(reload.error(), reload.error().startsWith("sha256 of [model.onnx] is "));
            assertArrayEquals("the old version still serves", before, score(r), 0f);
            ModelStatus status = r.status().get(0);
            assertEquals(ModelState.LOADED, status.state());
            assertEquals(reload.error(), status.error());
            assertEquals(List.of(MODEL), loadFailures);

            String json = Files.readString(dir.resolve("model.json"));
            Files.writeString(dir.resolve("model.json"), json.replace("\"max_length\": 64", "\"max_length\": 4"));
            assertTrue(r.reload(MODEL).error().contains("[max_length] must be an integer in [8, 8192], got [4]"));
            assertArrayEquals("still the first version", before, score(r), 0f);
            assertEquals(List.of(MODEL, MODEL), loadFailures);
        }
    }

    @Test

    public void testUnloadRefusesRequestsUntilLoaded() throws IOException {
        Path root = createTempDir();
        ModelRegistryTests.install(root, "overlap-logit", MODEL);
        try (ModelRegistry r = registry(root)) {
            float[] before = score(r);
            ModelRuntime first;
            try (ModelRegistry.Lease lease = r.acquire(MODEL)) {
                first = lease.model().runtime();
            }
            ModelChange unload = r.unload(MODEL);
            assertEquals(ModelState.LOADED, unload.before());
            assertEquals(ModelState.UNLOADED, unload.after());
            assertEquals(Map.of(), unload.sha256());
            RuntimeLifetimeTests.assertFreed(first);

            clock.addAndGet(ModelRegistry.RETRY_AFTER_MILLIS * 10);
            StatusException e = expectThrows(StatusException.class, () -> r.acquire(MODEL));
            assertEquals(StatusException.Status.CONFLICT, e.status());
            assertEquals("model [managed] was unloaded on this node; load it again with the plugin's models/managed/_load API", e.getMessage());
            assertEquals(ModelState.UNLOADED, r.status().get(0).state());
            assertEquals(0, r.servingGeneration(MODEL));
            assertEquals("unloading twice is harmless", ModelState.UNLOADED, r.unload(MODEL).after());

            ModelChange load = r.load(MODEL);
            assertEquals(ModelState.UNLOADED, load.before());
            assertEquals(ModelState.LOADED, load.after());
            assertEquals(2, load.generation());
            assertArrayEquals(before, score(r), 0f);
        }
    }

    @Test

    public void testFailedReloadOfAnUnloadedModelStaysUnloaded() throws IOException {
        Path root = createTempDir();
        Path dir = ModelRegistryTests.install(root, "overlap-logit", MODEL);
        try (ModelRegistry r = registry(root)) {
            r.unload(MODEL);
            corrupt(dir.resolve("model.onnx"));
            ModelChange reload = r.reload(MODEL);
            assertEquals(ModelState.UNLOADED, reload.after());
            assertNotNull(reload.error());
            ModelChange load = r.load(MODEL);
            assertEquals("an explicit load that fails leaves a failed model, retried by requests later", ModelState.FAILED, load.after());
            assertEquals(StatusException.Status.SERVICE_UNAVAILABLE, expectThrows(StatusException.class, () -> r.acquire(MODEL)).status());
            assertEquals(List.of(MODEL, MODEL), loadFailures);
        }
    }

    @Test

    public void testARemovedFolderMakesTheModelUnknownButItCanStillBeUnloaded() throws IOException {
        Path root = createTempDir();
        Path dir = ModelRegistryTests.install(root, "overlap-logit", MODEL);
        try (ModelRegistry r = registry(root)) {
            score(r);
            IOUtils.rm(dir);
            assertEquals(List.of(), r.names());
            assertEquals("unknown model [managed]; models on this node: []",
                expectThrows(IllegalArgumentException.class, () -> r.acquire(MODEL)).getMessage());
            ModelStatus listed = r.status().get(0);
            assertEquals("still in memory, so still listed", ModelState.LOADED, listed.state());
            assertEquals(ModelRegistry.FOLDER_REMOVED, listed.error());
            ModelChange unload = r.unload(MODEL);
            assertEquals(ModelState.LOADED, unload.before());
            assertEquals(ModelState.UNLOADED, unload.after());
            assertEquals(List.of(), r.status());
            assertEquals(ModelState.MISSING, r.unload("never-there").after());
        }
    }

    /** A request scoring while the operator reloads: it finishes on the old version, which is freed only afterwards. */
    @Test
    public void testInFlightScoringCompletesAcrossReloadAndUnload() throws Exception {
        Path root = createTempDir();
        ModelRegistryTests.install(root, "overlap-logit", MODEL);
        try (ModelRegistry r = registry(root)) {
            float[] expected = score(r);
            for (boolean unload : new boolean[] { false, true }) {
                GatedExecutor gated = new GatedExecutor(pool);
                ModelRegistry.Lease lease = r.acquire(MODEL);
                ModelRuntime old = lease.model().runtime();
                CompletableFuture<float[]> inFlight = CompletableFuture.supplyAsync(() -> {
                    try (lease) {
                        return score(lease, gated);
                    }
                });
                assertTrue(gated.awaitQueued(10));

                ModelChange change = unload ? r.unload(MODEL) : r.reload(MODEL);
                assertNull(change.error());
                assertAlive(old);
                gated.open();
                assertArrayEquals(expected, inFlight.get(10, TimeUnit.SECONDS), 0f);
                assertBusy(() -> RuntimeLifetimeTests.assertFreed(old));
                if (unload) {
                    expectThrows(StatusException.class, () -> r.acquire(MODEL));
                } else {
                    assertArrayEquals("the new version serves", expected, score(r), 0f);
                }
            }
        }
    }

    /** Requests never see a closed version, however reloads and requests interleave. */
    @Test
    public void testScoringThroughRepeatedReloads() throws Exception {
        Path root = createTempDir();
        ModelRegistryTests.install(root, "overlap-logit", MODEL);
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try (ModelRegistry r = registry(root)) {
            float[] expected = score(r);
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                running.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 40; i++) {
                        assertArrayEquals(expected, score(r), 0f);
                    }
                }, clients));
            }
            for (int i = 0; i < 15; i++) {
                assertNull(r.reload(MODEL).error());
            }
            CompletableFuture.allOf(running.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            assertEquals(16, r.servingGeneration(MODEL));
        } finally {
            clients.shutdown();
            assertTrue(clients.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test

    public void testClosingTheRegistryWaitsForLeases() throws IOException {
        Path root = createTempDir();
        ModelRegistryTests.install(root, "overlap-logit", MODEL);
        ModelRegistry r = registry(root);
        ModelRegistry.Lease lease = r.acquire(MODEL);
        r.close();
        assertEquals(StatusException.Status.SERVICE_UNAVAILABLE, expectThrows(StatusException.class, () -> r.acquire(MODEL)).status());
        assertEquals(2, score(lease, pool).length);
        ModelRuntime runtime = lease.model().runtime();
        lease.close();
        RuntimeLifetimeTests.assertFreed(runtime);
    }
}
