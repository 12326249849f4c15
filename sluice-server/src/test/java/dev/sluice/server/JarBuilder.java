package dev.sluice.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.transforms.Transform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a transform jar the way a user's project does: Java sources compiled against the Transform
 * API (and Jackson, whose types it uses), packaged with whatever libraries the user bundles.
 */
final class JarBuilder {
    private JarBuilder() {}

    /**
     * Compiles the sources together and packages the classes into {@code jar}.
     *
     * @param sources class name → Java source; all compiled together and put into one jar
     * @return the jar
     */
    static Path build(Path jar, Map<String, String> sources) {
        Path work = null;
        try {
            work = Files.createTempDirectory("sluice-jar-build-");
            Path src = work.resolve("src");
            Path classes = work.resolve("classes");
            Files.createDirectories(classes);
            List<String> arguments = new ArrayList<>(List.of(
                    "--release",
                    "17",
                    "-d",
                    classes.toString(),
                    "-cp",
                    String.join(
                            java.io.File.pathSeparator,
                            location(Transform.class),
                            location(JsonNode.class),
                            location(JsonParser.class))));
            for (Map.Entry<String, String> source : sources.entrySet()) {
                Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                arguments.add(file.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int exit = javac.run(null, null, errors, arguments.toArray(String[]::new));
            if (exit != 0) {
                throw new IllegalStateException(
                        "javac failed:\n" + errors.toString(java.nio.charset.StandardCharsets.UTF_8));
            }
            Files.createDirectories(jar.getParent());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(
                            new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(work);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a temp folder left behind is not worth failing a test for
        }
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
