package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

class DevStackTest {
    @TempDir
    Path dataDir;

    @Test
    void aPortInUseIsReportedWithTheFlagToChangeBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            int[] free = TestStack.freePorts(3);
            DevOptions options = new DevOptions(dataDir, port, free[0], free[1], 0);
            PortInUseException e = assertThrows(
                    PortInUseException.class,
                    () -> DevStack.start(DevCommand.builtInDevPipeline(), options, written -> {}));
            assertTrue(
                    e.getMessage().contains("--http-port") && e.getMessage().contains(String.valueOf(port)),
                    e.getMessage());

            DevOptions kafkaTaken = new DevOptions(dataDir, 0, port, free[2], 0);
            assertTrue(assertThrows(
                            PortInUseException.class,
                            () -> DevStack.start(DevCommand.builtInDevPipeline(), kafkaTaken, written -> {}))
                    .getMessage()
                    .contains("--kafka-port"));
        }
        assertTrue(!Files.exists(dataDir.resolve("kafka")), "nothing may start when a port is taken");
    }

    @Test
    void dataDirIsMadeAbsoluteAndNormal() {
        Path relative = Path.of("./.sluice");
        assertEquals(relative.toAbsolutePath().normalize(), new DevOptions(relative, 0, 1, 2, 0).dataDir());
    }

    @Test
    void runsOnADataDirWrittenWithDotSegmentsLikeTheDefault() {
        DevOptions options = TestStack.freePorts(
                dataDir.resolve(".").resolve("x").resolve("..").resolve("dev"));
        try (DevStack stack = DevStack.start(DevCommand.builtInDevPipeline(), options, written -> {});
                S3Client s3 = TestStack.s3(stack)) {
            TestStack.postAcked(stack, "events", List.of("{\"id\":\"dot\"}"));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !TestStack.objects(s3, "sluice", "events").isEmpty());
            assertTrue(Files.isDirectory(dataDir.resolve("dev/s3/sluice/events")));
        }
    }

    @Test
    void builtInDevPipelineIsTheDocumentedOne() {
        var p = DevCommand.builtInDevPipeline().pipeline("events").orElseThrow();
        assertTrue(p.sink().bucket().equals("sluice") && p.sink().prefix().equals("events"));
        assertTrue(p.sink().batch().maxRecords() == 10_000
                && p.sink().batch().maxBytes() == 10L << 20
                && p.sink().batch().maxDuration().toSeconds() == 10);
    }
}
