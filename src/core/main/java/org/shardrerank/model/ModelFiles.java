package org.shardrerank.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Resolves a model's folder and files inside the models folder (no traversal, no symlink escape) and checks their sha256. */
final class ModelFiles {
    private ModelFiles() {}

    /** The folder of a model whose name is already validated; a link to a folder elsewhere is refused. */
    static Path folderInside(Path root, String name) throws IOException {
        Path base = root.toRealPath();
        Path folder = base.resolve(name);
        if (Files.isDirectory(folder) == false) {
            throw new IOException("model folder [" + name + "] does not exist");
        }
        if (folder.toRealPath().startsWith(base) == false) {
            throw new IOException("model folder [" + name + "] links outside the models folder");
        }
        return folder;
    }

    static Path resolveInside(Path folder, String file) throws IOException {
        Path base = folder.toRealPath();
        Path p = base.resolve(file).normalize();
        if (p.startsWith(base) == false) {
            throw new IOException("file [" + file + "] is outside the model folder");
        }
        if (Files.exists(p) == false) {
            throw new IOException("file [" + file + "] does not exist");
        }
        if (p.toRealPath().startsWith(base) == false) {
            throw new IOException("file [" + file + "] links outside the model folder");
        }
        return p;
    }

    static void verify(Path file, String expected) throws IOException {
        String actual = sha256(file);
        if (actual.equals(expected) == false) {
            throw new IOException("sha256 of [" + file.getFileName() + "] is " + actual + ", the descriptor says " + expected);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0;) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
