package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.sink.S3Clients;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Starts a real dev stack (broker + S3Proxy + roles) on free loopback ports, and talks to it like a user. */
final class TestStack {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestStack() {}

    static DevOptions freePorts(Path dataDir) {
        int[] ports = freePorts(2);
        return new DevOptions(dataDir, 0, ports[0], ports[1], 0);
    }

    /**
     * Distinct free loopback ports. All sockets are held open until every port is chosen: opening and
     * closing one at a time can hand out the same port twice.
     */
    /**
     * Ports free now, below the kernel's ephemeral range: a port the kernel hands out (bind to 0) can be taken by
     * any outgoing connection (a Kafka client's, say) before the process it was picked for binds it, and a child
     * JVM takes seconds to start. Never the same port twice in one test JVM (a port handed out may not be bound
     * yet), and above the benchmarks' fixed ports (18080-19092).
     */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        Closeable closeAll = () -> {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        };
        try (closeAll) {
            int[] ports = new int[count];
            for (int i = 0; i < count; ) {
                int candidate = EPHEMERAL_PORTS_FROM > FIRST_PORT + 1_000
                        ? ThreadLocalRandom.current().nextInt(FIRST_PORT, EPHEMERAL_PORTS_FROM)
                        : 0; // an unusual ephemeral range: let the kernel choose, as before
                try {
                    ServerSocket socket = new ServerSocket(candidate, 0, InetAddress.getLoopbackAddress());
                    sockets.add(socket);
                    if (HANDED_OUT.add(socket.getLocalPort())) {
                        ports[i++] = socket.getLocalPort();
                    }
                } catch (BindException taken) {
                    // in use: try another
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final int FIRST_PORT = 20_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    /** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
    private static final int EPHEMERAL_PORTS_FROM = ephemeralPortsFrom();

    private static int ephemeralPortsFrom() {
        try {
            return new Scanner(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))).nextInt();
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** A dev stack for a test class, with an S3 client on its store; closing stops both. */
    record Running(DevStack stack, S3Client s3) implements AutoCloseable {
        static Running start(Path dataDir, String yaml) {
            DevStack stack = DevStack.start(config(yaml), freePorts(dataDir), written -> {});
            return new Running(stack, TestStack.s3(stack));
        }

        @Override
        public void close() {
            s3.close();
            stack.close();
        }
    }

    static SluiceConfig config(String yaml) {
        return new ConfigLoader(Map.of()).parse(yaml);
    }

    static HttpResponse<String> post(DevStack stack, String pipeline, String body) {
        return post(stack.httpBaseUrl(), pipeline, body);
    }

    /** @throws UncheckedIOException when the connection fails */
    static HttpResponse<String> post(String baseUrl, String pipeline, String body) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/ingest/" + pipeline))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(DevStack stack, String path) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.httpBaseUrl() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts records and asserts Kafka acknowledged all of them. */
    static void postAcked(DevStack stack, String pipeline, List<String> records) {
        HttpResponse<String> response = post(stack, pipeline, "[" + String.join(",", records) + "]");
        assertTrue(
                response.statusCode() == 200
                        && response.body()
                                .equals("{\"success\":true,\"result\":{\"committed\":" + records.size() + "}}"),
                () -> "HTTP " + response.statusCode() + ": " + response.body());
    }

    /** Every record a read_committed consumer (like the processor) can read from the topic now, in partition order. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(DevStack stack, String topic) {
        return readTopic(stack.config().kafka().clientProperties(), topic, "read_committed");
    }

    /**
     * Every record of a topic now, in partition order, as a consumer with these client properties and isolation
     * level ({@code read_committed}, {@code read_uncommitted}) finds it.
     */
    static List<ConsumerRecord<byte[], byte[]>> readTopic(
            Map<String, Object> clientProperties, String topic, String isolation) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertTrue(System.currentTimeMillis() < deadline, "could not read " + topic + " to its end");
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The values of {@link #readCommitted}, as text. */
    static List<String> committedValues(DevStack stack, String topic) {
        return readCommitted(stack, topic).stream()
                .map(r -> r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static S3Client s3(DevStack stack) {
        return S3Clients.create(stack.config().storage());
    }

    /**
     * S3Proxy's filesystem store writes an object to {@code <key>-<uuid>} beside it and renames it
     * into place, so a listing taken during a PUT shows that temporary name for a moment.
     */
    private static final Pattern S3PROXY_IN_FLIGHT =
            Pattern.compile(".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** Every object under the prefix, as listed through the S3 API, without the store's in-flight temp files. */
    static List<S3Object> objects(S3Client s3, String bucket, String prefix) {
        return s3
                .listObjectsV2Paginator(ListObjectsV2Request.builder()
                        .bucket(bucket)
                        .prefix(prefix + "/")
                        .build())
                .contents()
                .stream()
                .filter(o -> !S3PROXY_IN_FLIGHT.matcher(o.key()).matches())
                .toList();
    }

    /** Downloads and gunzips one object, returning its NDJSON records. */
    static List<JsonNode> records(S3Client s3, String bucket, String key) {
        byte[] gz = s3.getObjectAsBytes(
                        GetObjectRequest.builder().bucket(bucket).key(key).build())
                .asByteArray();
        return OutputObjects.records(gz, "s3://" + bucket + "/" + key);
    }

    /** All records of all objects under the prefix. */
    static List<JsonNode> allRecords(S3Client s3, String bucket, String prefix) {
        List<JsonNode> out = new ArrayList<>();
        for (S3Object object : objects(s3, bucket, prefix)) {
            out.addAll(records(s3, bucket, object.key()));
        }
        return out;
    }
}
