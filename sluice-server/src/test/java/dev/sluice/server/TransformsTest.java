package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example transforms, lookup tables and the onError policies, through a real broker to the output objects. */
class TransformsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: bots
                            partitions: 1
                            transforms: [ { label: drop-bots, class: dev.sluice.examples.DropBots } ]
                            sink: { batch: { maxDuration: 1s } }
                          - name: pii
                            partitions: 1
                            transforms: [ { label: redact, class: dev.sluice.examples.RedactEmails, config: { fields: [email], salt: s } } ]
                            sink: { batch: { maxDuration: 1s } }
                          - name: orders
                            partitions: 2
                            transforms:
                              - { label: enrich, class: dev.sluice.examples.EnrichFromLookup, config: { table: customers, key: customerId, into: customer } }
                              - { label: explode, class: dev.sluice.examples.ExplodeItems }
                            sink: { batch: { maxDuration: 1s } }
                          - name: flaky
                            partitions: 2
                            transforms: [ { label: fail-on-bad, class: dev.sluice.server.FailOnBad } ]
                            sink: { batch: { maxDuration: 1s } }
                        tables:
                          - name: customers
                        """);

    private static List<JsonNode> output(String pipeline) {
        return TestStack.allRecords(running.s3(), "sluice", pipeline);
    }

    private static HttpResponse<String> send(String method, String path, String body) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(running.stack().httpBaseUrl() + path))
                            .method(
                                    method,
                                    body == null
                                            ? HttpRequest.BodyPublishers.noBody()
                                            : HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void dropBotsKeepsPeopleOnly() {
        TestStack.postAcked(
                running.stack(),
                "bots",
                List.of(
                        "{\"id\":\"b1\",\"userAgent\":\"Mozilla/5.0 Firefox/130\"}",
                        "{\"id\":\"b2\",\"userAgent\":\"Googlebot/2.1\"}",
                        "{\"id\":\"b3\",\"userAgent\":\"Mozilla/5.0 Safari/17\"}",
                        "{\"id\":\"b4\",\"userAgent\":\"Baiduspider\"}"));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> output("bots").size() >= 2);
        assertEquals(
                List.of("b1", "b3"),
                output("bots").stream().map(r -> r.get("id").asText()).sorted().toList());
    }

    @Test
    void redactEmailsLeavesNoAddressInTheOutput() {
        TestStack.postAcked(
                running.stack(),
                "pii",
                List.of(
                        "{\"id\":\"p1\",\"email\":\"ada@example.com\"}",
                        "{\"id\":\"p2\",\"email\":\"ADA@example.com \"}",
                        "{\"id\":\"p3\"}"));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> output("pii").size() >= 3);
        Map<String, String> emails = output("pii").stream()
                .filter(r -> r.has("email"))
                .collect(Collectors.toMap(
                        r -> r.get("id").asText(), r -> r.get("email").asText()));
        assertEquals(Set.of("p1", "p2"), emails.keySet());
        assertTrue(emails.get("p1").matches("sha256:[0-9a-f]{64}"), emails.toString());
        assertEquals(emails.get("p1"), emails.get("p2"));
    }

    @Test
    void ordersAreEnrichedFromTheTableAsItChangesAndExplodedPerItem() {
        assertEquals(
                200, send("PUT", "/tables/customers/c1", "{\"name\":\"Ada\"}").statusCode());
        AtomicInteger probes = new AtomicInteger();
        // The table reaches the processors' copies a moment after Kafka acknowledged the PUT: probe until it has.
        awaitCustomerName("Ada", probes);

        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            orders.add("{\"id\":\"o" + i + "\",\"customerId\":\"c1\",\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\"}]}");
        }
        TestStack.postAcked(running.stack(), "orders", orders);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> itemsOf("o").size() == 40);
        Set<String> items = new TreeSet<>(itemsOf("o"));
        assertEquals(40, items.size(), "each order's two items, once each");
        assertTrue(items.contains("o7#1:b:Ada"), items.toString());

        assertEquals(
                200, send("PUT", "/tables/customers/c1", "{\"name\":\"Grace\"}").statusCode());
        awaitCustomerName("Grace", probes);
        TestStack.postAcked(
                running.stack(),
                "orders",
                List.of("{\"id\":\"later\",\"customerId\":\"c1\",\"items\":[{\"sku\":\"z\"}]}"));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> !itemsOf("later").isEmpty());
        assertEquals(List.of("later#0:z:Grace"), itemsOf("later"));

        assertEquals(200, send("DELETE", "/tables/customers/c1", null).statusCode());
        assertEquals(404, send("PUT", "/tables/nope/c1", "{}").statusCode());
        assertEquals(400, send("PUT", "/tables/customers/c1", "{oops").statusCode());
    }

    /** Output items of orders whose id starts with the prefix, as "id#index:sku:customer-name". */
    private static List<String> itemsOf(String prefix) {
        return output("orders").stream()
                .filter(r -> r.get("id").asText().startsWith(prefix))
                .map(r -> r.get("id").asText() + "#" + r.get("index").asInt() + ":"
                        + r.at("/item/sku").asText() + ":"
                        + r.at("/customer/name").asText())
                .toList();
    }

    private static void awaitCustomerName(String name, AtomicInteger probes) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String id = "probe" + probes.incrementAndGet();
                    TestStack.postAcked(
                            running.stack(),
                            "orders",
                            List.of("{\"id\":\"" + id + "\",\"customerId\":\"c1\",\"items\":[{}]}"));
                    return output("orders").stream()
                            .anyMatch(r -> r.get("id").asText().startsWith("probe")
                                    && name.equals(r.at("/customer/name").asText()));
                });
    }

    @Test
    void aThrowingTransformSendsExactlyItsFailuresToTheDlqAndTheRestFlow() {
        List<String> records = new ArrayList<>();
        Set<String> bad = new TreeSet<>();
        for (int i = 0; i < 100; i++) {
            boolean isBad = i % 10 == 3;
            records.add("{\"id\":\"f" + i + "\"" + (isBad ? ",\"bad\":true" : "") + "}");
            if (isBad) {
                bad.add("f" + i);
            }
        }
        TestStack.postAcked(running.stack(), "flaky", records);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> output("flaky").size() >= 90
                        && TestStack.readCommitted(running.stack(), Topics.deadLetters("flaky"))
                                        .size()
                                >= 10);
        List<String> good =
                output("flaky").stream().map(r -> r.get("id").asText()).sorted().toList();
        assertEquals(90, good.size());
        assertTrue(good.stream().noneMatch(bad::contains));

        List<ConsumerRecord<byte[], byte[]>> dead =
                TestStack.readCommitted(running.stack(), Topics.deadLetters("flaky"));
        assertEquals(
                bad,
                dead.stream()
                        .map(r -> new String(r.value(), StandardCharsets.UTF_8)
                                .replaceAll(".*\"id\":\"(f\\d+)\".*", "$1"))
                        .collect(Collectors.toCollection(TreeSet::new)));
        for (ConsumerRecord<byte[], byte[]> record : dead) {
            assertEquals("transform", TestStack.header(record, SluiceHeaders.ERROR_STAGE));
            assertEquals("fail-on-bad", TestStack.header(record, SluiceHeaders.ERROR_TRANSFORM));
            assertEquals(
                    IllegalArgumentException.class.getName(), TestStack.header(record, SluiceHeaders.ERROR_EXCEPTION));
            assertTrue(TestStack.header(record, SluiceHeaders.ERROR_MESSAGE).endsWith(" is bad"));
            assertEquals("http", TestStack.header(record, SluiceHeaders.SOURCE), "the input's own headers are kept");
        }

        String metrics = TestStack.get(running.stack(), "/metrics").body();
        assertTrue(
                metrics.contains(
                        "sluice_transform_errors_total{on_error=\"dlq\",pipeline=\"flaky\",transform=\"fail-on-bad\"} 10.0"),
                metrics);
        assertTrue(
                metrics.contains(
                        "sluice_transform_records_in_total{pipeline=\"flaky\",transform=\"fail-on-bad\"} 100.0"),
                metrics);
        assertTrue(
                metrics.contains(
                        "sluice_transform_records_out_total{pipeline=\"flaky\",transform=\"fail-on-bad\"} 90.0"),
                metrics);
        assertTrue(
                metrics.contains(
                        "sluice_transform_duration_seconds_count{pipeline=\"flaky\",transform=\"fail-on-bad\"} 100"),
                metrics);
        assertTrue(metrics.contains("sluice_processor_lag_records{pipeline=\"flaky\"}"), metrics);
    }
}
