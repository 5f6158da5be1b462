package org.shardrerank;

import java.nio.file.Files;
import java.nio.file.Path;

/** The fixture model folders the build assembles in target/test-models (see src/test/models/make_fixtures.py). */
public final class TestModels {
    private TestModels() {}

    public static Path root() {
        Path root = Path.of(System.getProperty("tests.models.dir", "target/test-models")).toAbsolutePath();
        if (Files.isDirectory(root.resolve("overlap-logit")) == false) {
            throw new IllegalStateException("test models missing in " + root + ": run the tests through Maven");
        }
        return root;
    }

    public static Path folder(String name) {
        return root().resolve(name);
    }
}
