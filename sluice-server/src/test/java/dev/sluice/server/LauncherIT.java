package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code target/sluice.jar} run as {@code ./sluice dev} runs it, in a child JVM: this is
 * what catches a dependency missing from the runtime classpath, which in-JVM tests cannot see.
 */
class LauncherIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private Process process;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    private Process launch(Path log, String... devArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                System.getProperty("sluice.jar"),
                "dev",
                "--data-dir",
                dataDir.toString()));
        command.addAll(List.of(devArgs));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    @Test
    void devRunsFromThePackagedJarAndStopsCleanlyWritingOpenBatches() throws Exception {
        int[] ports = TestStack.freePorts(4);
        int http = ports[0];
        Path log = dataDir.resolve("..").resolve(dataDir.getFileName() + "-sluice.log");
        process = launch(
                log,
                "--http-port",
                String.valueOf(http),
                "--kafka-port",
                String.valueOf(ports[1]),
                "--kafka-controller-port",
                String.valueOf(ports[2]),
                "--s3-port",
                String.valueOf(ports[3]));

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> !process.isAlive() || Files.readString(log).contains("Stop with Ctrl-C"));
        String banner = Files.readString(log);
        assertTrue(process.isAlive(), banner);
        assertTrue(banner.contains("POST http://127.0.0.1:" + http + "/ingest/events"), banner);

        assertEquals(
                "{\"success\":true,\"result\":{\"committed\":1}}",
                post(http, "[{\"id\":\"a1\",\"user\":\"u1\",\"ts\":\"2026-11-22T13:05:00Z\"}]"));
        Path output = dataDir.resolve("s3/sluice/events");
        // The dev pipeline closes batches after 10 s.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> ids(output).contains("a1"));
        // The built-in workflow indexes every object written: its summary appears beside the data.
        Path summaries = dataDir.resolve("s3/sluice/summaries/events");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> !files(summaries, ".json").isEmpty());
        String summary = Files.readString(files(summaries, ".json").get(0));
        assertTrue(summary.contains("\"rows\":1"), summary);

        // This one sits in an open batch; stopping (SIGTERM, like Ctrl-C) must write it.
        assertEquals("{\"success\":true,\"result\":{\"committed\":1}}", post(http, "{\"id\":\"a2\",\"user\":\"u2\"}"));
        process.destroy();
        assertTrue(process.waitFor(90, TimeUnit.SECONDS), "sluice did not stop within 90 s");
        // a2 is in the output only if stopping closed and wrote its open batch.
        assertEquals(List.of("a1", "a2"), ids(output).stream().sorted().toList(), Files.readString(log));
        String all = Files.readString(log);
        assertTrue(!all.contains(" ERROR "), "a clean run logs no ERROR:\n" + all);
    }

    @Test
    void portsThatCollideAreRefusedNamingBothFlags() throws Exception {
        Path log = dataDir.resolve("..").resolve(dataDir.getFileName() + "-collide.log");
        int[] ports = TestStack.freePorts(2);
        // The controller defaults to the Kafka port + 1, which is the S3 port here.
        process = launch(
                log,
                "--http-port",
                String.valueOf(ports[0]),
                "--kafka-port",
                String.valueOf(ports[1]),
                "--s3-port",
                String.valueOf(ports[1] + 1));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String output = Files.readString(log);
        assertEquals(2, process.exitValue(), output);
        assertTrue(
                output.contains("port " + (ports[1] + 1) + " is given to both --kafka-controller-port and --s3-port"),
                output);
        assertTrue(!output.contains("\tat "), output);
    }

    @Test
    void aTakenPortExitsWithTheFlagToChange() throws Exception {
        Path log = dataDir.resolve("..").resolve(dataDir.getFileName() + "-port.log");
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            process = launch(log, "--http-port", String.valueOf(taken.getLocalPort()));
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        }
        String output = Files.readString(log);
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("--http-port") && !output.contains("\tat "), output);
    }

    private static String post(int port, String body) throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ingest/events"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static List<Path> files(Path folder, String suffix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.toString().endsWith(suffix) && Files.isRegularFile(f))
                    .toList();
        }
    }

    /** Ids of every record in the objects under a bucket folder, read straight from disk. */
    private static List<String> ids(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json.gz")).toList()) {
                OutputObjects.records(file)
                        .forEach(record -> ids.add(record.get("id").asText()));
            }
        }
        return ids;
    }
}
