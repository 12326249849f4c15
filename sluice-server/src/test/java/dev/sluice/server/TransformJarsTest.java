package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.ConfigException;
import dev.sluice.config.PipelineConfig;
import dev.sluice.processor.PipelineTopology;
import dev.sluice.processor.TransformJars;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * User transforms as users ship them: a jar compiled against transforms-api, dropped into the
 * transforms folder, named in sluice.yaml. Also: two jars bundling conflicting versions of one
 * library, changing the chain across a restart, and the start-up errors for a wrong jar or class.
 */
class TransformJarsTest {
    private static final String SHOUT = """
            package com.acme;

            import dev.sluice.transforms.Emitter;
            import dev.sluice.transforms.Record;
            import dev.sluice.transforms.Transform;

            /** Upper-cases the "msg" field. */
            public final class Shout implements Transform {
                @Override
                public void apply(Record record, Emitter out) {
                    String msg = record.getString("msg");
                    out.emit(msg == null ? record : record.set("msg", msg.toUpperCase()));
                }
            }
            """;
    private static final String STAMP = """
            package com.acme;

            import dev.sluice.transforms.Emitter;
            import dev.sluice.transforms.Record;
            import dev.sluice.transforms.Transform;
            import dev.sluice.transforms.TransformContext;

            /** Adds "version" from its config. */
            public final class Stamp implements Transform {
                private Object version;

                @Override
                public void open(TransformContext context) {
                    version = context.config().get("version");
                }

                @Override
                public void apply(Record record, Emitter out) {
                    out.emit(record.set("version", String.valueOf(version)));
                }
            }
            """;

    /** A "library" both jars bundle, in two incompatible versions. */
    private static String greeting(String version) {
        return "package com.example.lib;\npublic final class Greeting {\n    public static String text() { return \"hello from "
                + version + "\"; }\n}\n";
    }

    private static String tagger(String pkg, String field) {
        return "package " + pkg + ";\nimport dev.sluice.transforms.Emitter;\nimport dev.sluice.transforms.Record;\n"
                + "import dev.sluice.transforms.Transform;\npublic final class Tag implements Transform {\n"
                + "    public void apply(Record record, Emitter out) {\n"
                + "        out.emit(record.set(\"" + field + "\", com.example.lib.Greeting.text()));\n    }\n}\n";
    }

    @TempDir
    Path dataDir;

    private static List<String> records(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add("{\"id\":\"" + prefix + i + "\",\"msg\":\"hi " + i + "\"}");
        }
        return out;
    }

    @Test
    void aJarInTheTransformsFolderRunsAndAChangedChainAppliesFromTheRestartOn() {
        JarBuilder.build(
                dataDir.resolve("transforms/acme-transforms.jar"),
                Map.of("com.acme.Shout", SHOUT, "com.acme.Stamp", STAMP));
        DevOptions options = TestStack.freePorts(dataDir);
        String before = """
                pipelines:
                  - name: first
                    partitions: 2
                    transforms: [ { label: shout, class: com.acme.Shout } ]
                    sink: { batch: { maxDuration: 1h } }
                """;
        try (DevStack stack = DevStack.start(TestStack.config(before), options, written -> {})) {
            TestStack.postAcked(stack, "first", records("a", 200));
        }
        // The user adds a step and restarts: what was written stays; what comes now takes the new chain.
        String after = """
                pipelines:
                  - name: first
                    partitions: 2
                    transforms:
                      - { label: shout, class: com.acme.Shout }
                      - { label: stamp, class: com.acme.Stamp, jar: acme-transforms.jar, config: { version: 2 } }
                    sink: { batch: { maxDuration: 1s } }
                """;
        DevOptions samePorts = new DevOptions(dataDir, 0, options.kafkaPort(), options.kafkaControllerPort(), 0);
        try (DevStack stack = DevStack.start(TestStack.config(after), samePorts, written -> {});
                S3Client s3 = TestStack.s3(stack)) {
            TestStack.postAcked(stack, "first", records("b", 200));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> TestStack.allRecords(s3, "sluice", "first").size() >= 400);
            List<JsonNode> output = TestStack.allRecords(s3, "sluice", "first");
            Map<String, Long> counts = ExactlyOnce.idCounts(output);
            assertEquals(400, counts.size());
            assertTrue(counts.values().stream().allMatch(c -> c == 1), "nothing was processed twice");
            for (JsonNode r : output) {
                String id = r.get("id").asText();
                assertEquals("HI " + id.substring(1), r.get("msg").asText(), r.toString());
                assertEquals(
                        id.startsWith("b") ? "2" : null,
                        r.has("version") ? r.get("version").asText() : null,
                        r.toString());
            }
        }
    }

    @Test
    void twoJarsBundlingConflictingVersionsOfALibraryEachGetTheirOwn() {
        JarBuilder.build(
                dataDir.resolve("transforms/a.jar"),
                Map.of("com.example.lib.Greeting", greeting("v1"), "com.example.a.Tag", tagger("com.example.a", "a")));
        JarBuilder.build(
                dataDir.resolve("transforms/b.jar"),
                Map.of("com.example.lib.Greeting", greeting("v2"), "com.example.b.Tag", tagger("com.example.b", "b")));
        try (TestStack.Running running = TestStack.Running.start(dataDir, """
                pipelines:
                  - name: clash
                    partitions: 1
                    transforms:
                      - { label: tag-a, class: com.example.a.Tag }
                      - { label: tag-b, class: com.example.b.Tag }
                    sink: { batch: { maxDuration: 1s } }
                """)) {
            TestStack.postAcked(running.stack(), "clash", List.of("{\"id\":\"c1\"}"));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !TestStack.allRecords(running.s3(), "sluice", "clash")
                            .isEmpty());
            JsonNode out = TestStack.allRecords(running.s3(), "sluice", "clash").get(0);
            assertEquals("hello from v1", out.get("a").asText());
            assertEquals("hello from v2", out.get("b").asText());
        }
    }

    @Test
    void aWrongJarOrClassStopsStartUpNamingPipelineLabelAndClass() {
        Path dir = dataDir.resolve("transforms");
        JarBuilder.build(dir.resolve("acme.jar"), Map.of("com.acme.Shout", SHOUT));
        JarBuilder.build(dir.resolve("copy.jar"), Map.of("com.acme.Shout", SHOUT));
        JarBuilder.build(
                dir.resolve("plain.jar"), Map.of("com.acme.Plain", "package com.acme;\npublic class Plain {}\n"));
        try (TransformJars jars = TransformJars.open(dir, getClass().getClassLoader())) {
            assertEquals(
                    "pipelines[p].transforms[x].jar: pipeline p, transform 'x' (class com.acme.Shout, jar missing.jar): "
                            + "no jar missing.jar in "
                            + "transforms.dir " + dir + " [acme.jar, copy.jar, plain.jar]",
                    startUpError(jars, "{label: x, class: com.acme.Shout, jar: missing.jar}"));
            assertTrue(startUpError(jars, "{label: x, class: com.acme.Nope}")
                    .endsWith("class not in transforms.dir " + dir
                            + " [acme.jar, copy.jar, plain.jar] nor on the classpath"));
            assertTrue(startUpError(jars, "{label: x, class: com.acme.Shout}")
                    .endsWith("the class is in [acme.jar, copy.jar]; say which with jar: <name>"));
            assertTrue(startUpError(jars, "{label: x, class: com.acme.Plain}")
                    .endsWith("does not implement dev.sluice.transforms.Transform"));
            assertTrue(startUpError(jars, "{label: x, class: com.acme.Plain, jar: acme.jar}")
                    .contains("class not in acme.jar"));
        }
        // And through the server: start-up fails with that message instead of running without the step.
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> DevStack.start(TestStack.config("""
                pipelines:
                  - name: p
                    transforms: [ { label: x, class: com.acme.Shout, jar: missing.jar } ]
                """), TestStack.freePorts(dataDir), written -> {}));
        assertTrue(
                e.getMessage().contains("pipeline p, transform 'x'")
                        && e.getMessage().contains("missing.jar"),
                e.getMessage());
    }

    private static String startUpError(TransformJars jars, String step) {
        PipelineConfig pipeline = TestStack.config("pipelines: [{name: p, transforms: [" + step + "]}]")
                .pipelines()
                .get(0);
        return assertThrows(
                        ConfigException.class,
                        () -> PipelineTopology.build(pipeline, List.of(), jars, new SimpleMeterRegistry()))
                .getMessage();
    }
}
