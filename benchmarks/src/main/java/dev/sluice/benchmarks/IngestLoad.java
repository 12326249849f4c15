package dev.sluice.benchmarks;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drives a running Sluice with HTTP or WebSocket load and prints records/s and ack latency.
 *
 * <p>With {@code --rate} the load is open-loop: request k is due at start + k / rate whether or not
 * earlier ones were answered, and its latency runs from that due instant to the answer, so a
 * stalled server cannot hide its stall by slowing the driver down (no coordinated omission). A
 * request due while every connection is busy waits for one, and that wait counts.
 *
 * <p>The driver is one thread on one selector writing pre-built requests, so it costs little per
 * request and shares a small machine with the server without becoming the tail it measures. It
 * prints its own lateness (due to noticed) and CPU so a reader can tell.
 *
 * <pre>
 * java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*' dev.sluice.benchmarks.IngestLoad \
 *     --url http://127.0.0.1:18080 --pipeline bench --mode http --records 100 --concurrency 64 --rate 1300
 * </pre>
 */
@Command(name = "ingest-load", mixinStandardHelpOptions = true)
public final class IngestLoad implements Callable<Integer>, LoadConnection.Answers {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:18080")
    String url;

    @Option(names = "--pipeline", defaultValue = "bench")
    String pipeline;

    @Option(names = "--mode", defaultValue = "http", description = "http or ws")
    String mode;

    @Option(names = "--records", defaultValue = "100", description = "records per request or frame")
    int recordsPerRequest;

    @Option(names = "--record-bytes", defaultValue = "200")
    int recordBytes;

    @Option(
            names = "--concurrency",
            defaultValue = "32",
            description = "HTTP connections (one request in flight each), or WebSocket connections")
    int concurrency;

    @Option(names = "--window", defaultValue = "32", description = "unanswered frames per WebSocket connection")
    int window;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description = "requests (or frames) per second, open loop; 0 = closed loop, as fast as answered")
    int rate;

    @Option(names = "--keyed", description = "an Idempotency-Key of its own on every request or frame")
    boolean keyed;

    @Option(names = "--warmup", defaultValue = "5", description = "seconds not measured")
    int warmupSeconds;

    @Option(names = "--duration", defaultValue = "20", description = "seconds measured")
    int durationSeconds;

    private final Histogram latency = new Histogram(3);
    private final Histogram driverLateness = new Histogram(3);
    private final Histogram connectionWait = new Histogram(3);
    private final Map<Integer, Long> failures = new TreeMap<>();
    private long acknowledged;
    private long measureFrom;
    private long measureTo;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestLoad()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        boolean webSocket = mode.equals("ws");
        URI base = URI.create(url);
        InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort());
        String path = "/ingest/" + pipeline;
        Requests requests = new Requests(
                webSocket, base.getHost() + ":" + address.getPort(), path, recordsPerRequest, recordBytes, keyed);
        try (Selector selector = Selector.open()) {
            List<LoadConnection> connections = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                connections.add(
                        webSocket
                                ? new WsLoadConnection(address, path, selector, window, this)
                                : new HttpLoadConnection(address, selector, this));
            }
            // Collect the set-up's garbage now, with the pre-built requests moved out of the young generation, so
            // that no collection of the driver's own (which a busy box can stretch to 100-200 ms) lands in the run.
            System.gc();
            Usage usage = drive(selector, connections, requests);
            report(usage);
            for (LoadConnection connection : connections) {
                connection.close();
            }
        }
        return 0;
    }

    /** The driver's own CPU and GC over the measured window. */
    private record Usage(long cpuNanos, long gcCount, long gcMillis) {}

    private Usage drive(Selector selector, List<LoadConnection> connections, Requests requests) throws IOException {
        ArrayDeque<LoadConnection> free = new ArrayDeque<>(connections);
        long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        long start = System.nanoTime();
        measureFrom = start + warmupSeconds * 1_000_000_000L;
        measureTo = measureFrom + durationSeconds * 1_000_000_000L;
        // Request k is due at start + k * interval: the overdue ones are the range [sent, due), no queue needed.
        long due = 0;
        long sent = 0;
        long nextDue = start;
        long[] usageAtStart = null;
        while (true) {
            long now = System.nanoTime();
            if (now >= measureTo) {
                break;
            }
            if (usageAtStart == null && now >= measureFrom) {
                usageAtStart = usage();
            }
            if (interval > 0) {
                for (; nextDue <= now; due++, nextDue += interval) {
                    if (measuring(now)) {
                        driverLateness.recordValue(Math.max(1, (now - nextDue) / 1000));
                    }
                }
                for (; sent < due && !free.isEmpty(); sent++) {
                    long dueAt = start + sent * interval;
                    if (measuring(now)) {
                        connectionWait.recordValue(Math.max(1, (System.nanoTime() - dueAt) / 1000));
                    }
                    send(free, requests, dueAt);
                }
            } else {
                while (!free.isEmpty()) {
                    send(free, requests, System.nanoTime());
                }
            }
            long untilDue = nextDue - System.nanoTime();
            if (interval > 0 && sent == due && untilDue <= 0) {
                selector.selectNow();
            } else {
                // epoll waits in whole milliseconds: a request may be noticed up to 1 ms after it was due
                selector.select(interval > 0 && sent == due ? Math.max(1, untilDue / 1_000_000) : 100);
            }
            long at = System.nanoTime();
            for (SelectionKey key : selector.selectedKeys()) {
                LoadConnection connection = (LoadConnection) key.attachment();
                boolean hadRoom = connection.hasRoom();
                if (key.isWritable()) {
                    connection.flush();
                }
                if (key.isReadable()) {
                    connection.read(at);
                }
                if (!hadRoom && connection.hasRoom()) {
                    free.addLast(connection);
                }
            }
            selector.selectedKeys().clear();
        }
        long[] usageAtEnd = usage();
        if (usageAtStart == null) {
            usageAtStart = usageAtEnd;
        }
        return new Usage(
                usageAtEnd[0] - usageAtStart[0], usageAtEnd[1] - usageAtStart[1], usageAtEnd[2] - usageAtStart[2]);
    }

    private static void send(ArrayDeque<LoadConnection> free, Requests requests, long due) throws IOException {
        LoadConnection connection = free.pollFirst();
        connection.send(requests.next(), due);
        if (connection.hasRoom()) {
            free.addLast(connection);
        }
    }

    private boolean measuring(long now) {
        return now >= measureFrom && now < measureTo;
    }

    @Override
    public void acknowledged(long dueNanos, long nowNanos) {
        if (measuring(nowNanos)) {
            latency.recordValue(Math.max(1, (nowNanos - dueNanos) / 1000));
            acknowledged++;
        }
    }

    @Override
    public void failed(int status, long nowNanos) {
        if (measuring(nowNanos)) {
            failures.merge(status, 1L, Long::sum);
        }
    }

    /** CPU nanoseconds of this process, GC count and GC milliseconds so far. */
    private static long[] usage() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new long[] {os.getProcessCpuTime(), count, millis};
    }

    private void report(Usage usage) {
        double seconds = durationSeconds;
        double requestsPerSecond = acknowledged / seconds;
        double recordsPerSecond = requestsPerSecond * recordsPerRequest;
        boolean webSocket = mode.equals("ws");
        System.out.printf(
                Locale.ROOT,
                "mode=%s records/request=%d record-bytes=%d connections=%d%s%s rate=%s duration=%ds%n",
                mode,
                recordsPerRequest,
                recordBytes,
                concurrency,
                webSocket ? " window=" + window : "",
                keyed ? " keyed" : "",
                rate == 0 ? "max (closed loop)" : rate + "/s (open loop)",
                durationSeconds);
        System.out.printf(
                Locale.ROOT,
                "  records/s=%,.0f  requests/s=%,.0f  MB/s=%.1f%n",
                recordsPerSecond,
                requestsPerSecond,
                recordsPerSecond * recordBytes / 1e6);
        System.out.printf(
                Locale.ROOT,
                "  ack latency ms%s: %s%n",
                rate > 0 ? " (from each request's due time)" : "",
                percentiles(latency));
        if (rate > 0) {
            System.out.printf(
                    Locale.ROOT, "  driver: noticed due requests late by ms: %s%n", percentiles(driverLateness));
            System.out.printf(
                    Locale.ROOT,
                    "  driver: sent after due by ms (incl. waits for a free connection): %s%n",
                    percentiles(connectionWait));
            if (requestsPerSecond < rate * 0.98) {
                System.out.printf(
                        Locale.ROOT, "  RATE NOT KEPT: %,.0f of %,d requests/s answered%n", requestsPerSecond, rate);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "  driver: %.0f%% of one core (%.1f µs per request), %d GCs taking %d ms%n",
                usage.cpuNanos() / 1e7 / seconds,
                acknowledged == 0 ? 0.0 : usage.cpuNanos() / 1e3 / acknowledged,
                usage.gcCount(),
                usage.gcMillis());
        System.out.println("  failures: " + (failures.isEmpty() ? "none" : failures));
        System.out.printf(
                Locale.ROOT,
                "RESULT mode=%s records_per_s=%.0f requests_per_s=%.0f p50_ms=%.2f p99_ms=%.2f%n",
                mode,
                recordsPerSecond,
                requestsPerSecond,
                latency.getValueAtPercentile(50) / 1e3,
                latency.getValueAtPercentile(99) / 1e3);
    }

    private static String percentiles(Histogram h) {
        return String.format(
                Locale.ROOT,
                "p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f (n=%d)",
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3,
                h.getTotalCount());
    }
}
