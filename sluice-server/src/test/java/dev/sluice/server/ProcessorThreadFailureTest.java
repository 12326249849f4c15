package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A processor thread that dies of something no {@code onError} covers is replaced: the records go on, each
 * once (the dead thread's open transaction is aborted and its work done again), and the process stays healthy.
 */
class ProcessorThreadFailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aFailedThreadIsReplacedAndEveryRecordLandsOnce() throws Exception {
        String yaml = """
                pipelines:
                  - name: events
                    partitions: 1
                    transforms: [ { label: crashes-once, class: dev.sluice.server.CrashesOnce } ]
                """;
        CrashesOnce.CRASHES.set(0);
        try (DevStack stack = DevStack.start(TestStack.config(yaml), TestStack.freePorts(dir), w -> {})) {
            TestStack.postAcked(
                    stack, "events", List.of("{\"id\":\"a\"}", "{\"id\":\"b\",\"crash\":1}", "{\"id\":\"c\"}"));
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> TestStack.committedValues(stack, Topics.output("events"))
                                    .size()
                            >= 3);
            List<String> ids = new ArrayList<>();
            for (String value : TestStack.committedValues(stack, Topics.output("events"))) {
                ids.add(JSON.readTree(value).path("id").asText());
            }
            assertEquals(List.of("a", "b", "c"), ids);
            assertEquals(1, CrashesOnce.CRASHES.get(), "the thread died once");
            assertEquals(200, TestStack.get(stack, "/healthz").statusCode());
        }
    }
}
