package dev.sluice.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drives a running Sluice with HTTP or WebSocket load and prints records/s and ack latency.
 * Latency is from the moment a request was due (open-loop with {@code --rate}) or sent, to the
 * acknowledgement, so a stalled server cannot hide its stall (no coordinated omission).
 *
 * <pre>
 * java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*' dev.sluice.benchmarks.IngestLoad \
 *     --url http://127.0.0.1:18080 --pipeline bench --mode http --records 100 --concurrency 32
 * </pre>
 */
@Command(name = "ingest-load", mixinStandardHelpOptions = true)
public final class IngestLoad implements Callable<Integer> {

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
            description = "HTTP requests in flight, or WebSocket connections")
    int concurrency;

    @Option(names = "--window", defaultValue = "32", description = "unanswered frames per WebSocket connection")
    int window;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description = "requests (or frames) per second; 0 = as fast as acknowledged")
    int rate;

    @Option(names = "--warmup", defaultValue = "5", description = "seconds not measured")
    int warmupSeconds;

    @Option(names = "--duration", defaultValue = "20", description = "seconds measured")
    int durationSeconds;

    private final Recorder latency = new Recorder(3);
    private final AtomicLong acknowledgedRecords = new AtomicLong();
    private final AtomicLong acknowledgedRequests = new AtomicLong();
    private final Map<Integer, AtomicLong> failures = new ConcurrentHashMap<>();
    private volatile boolean measuring;
    private volatile boolean running = true;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<String> bodies = bodies(mode.equals("ws") && recordsPerRequest > 1);
        Thread driver = new Thread(
                () -> {
                    try {
                        if (mode.equals("ws")) {
                            webSocket(bodies);
                        } else {
                            http(bodies);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                "driver");
        driver.start();
        Thread.sleep(warmupSeconds * 1000L);
        latency.reset();
        acknowledgedRecords.set(0);
        acknowledgedRequests.set(0);
        failures.clear();
        measuring = true;
        long start = System.nanoTime();
        Thread.sleep(durationSeconds * 1000L);
        double seconds = (System.nanoTime() - start) / 1e9;
        measuring = false;
        running = false;
        Histogram h = latency.getIntervalHistogram();
        driver.join(10_000);
        double recordsPerSecond = acknowledgedRecords.get() / seconds;
        double requestsPerSecond = acknowledgedRequests.get() / seconds;
        System.out.printf(
                Locale.ROOT,
                "mode=%s records/request=%d record-bytes=%d concurrency=%d%s rate=%s duration=%ds%n",
                mode,
                recordsPerRequest,
                recordBytes,
                concurrency,
                mode.equals("ws") ? " window=" + window : "",
                rate == 0 ? "max" : rate + "/s",
                durationSeconds);
        System.out.printf(
                Locale.ROOT,
                "  records/s=%,.0f  requests/s=%,.0f  MB/s=%.1f%n",
                recordsPerSecond,
                requestsPerSecond,
                recordsPerSecond * recordBytes / 1e6);
        System.out.printf(
                Locale.ROOT,
                "  ack latency ms: p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f (n=%d)%n",
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3,
                h.getTotalCount());
        System.out.println("  failures: " + (failures.isEmpty() ? "none" : failures));
        System.out.printf(
                Locale.ROOT,
                "RESULT mode=%s records_per_s=%.0f requests_per_s=%.0f p50_ms=%.2f p99_ms=%.2f%n",
                mode,
                recordsPerSecond,
                requestsPerSecond,
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3);
        System.exit(0);
        return 0;
    }

    /** A pool of request bodies of about {@code recordBytes} per record, with distinct ids. */
    private List<String> bodies(boolean ndjson) {
        List<String> bodies = new ArrayList<>();
        for (int b = 0; b < 512; b++) {
            StringBuilder body = new StringBuilder(recordsPerRequest * (recordBytes + 2));
            if (!ndjson) {
                body.append('[');
            }
            for (int r = 0; r < recordsPerRequest; r++) {
                String head = "{\"id\":\"" + b + "-" + r + "\",\"user\":\"u" + (r % 997)
                        + "\",\"event\":\"page_view\",\"ts\":\"2026-11-22T13:05:00Z\",\"url\":\"https://example.com/";
                int pad = Math.max(0, recordBytes - head.length() - 2);
                body.append(r == 0 || ndjson ? "" : ",")
                        .append(head)
                        .append("p".repeat(pad))
                        .append("\"}");
                if (ndjson) {
                    body.append('\n');
                }
            }
            if (!ndjson) {
                body.append(']');
            }
            bodies.add(body.toString());
        }
        return bodies;
    }

    private void http(List<String> bodies) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4))
                .build();
        URI uri = URI.create(url + "/ingest/" + pipeline);
        Semaphore inFlight = new Semaphore(concurrency);
        long intervalNanos = rate > 0 ? 1_000_000_000L / rate : 0;
        long due = System.nanoTime();
        for (int i = 0; running; i++) {
            if (intervalNanos > 0) {
                due += intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            inFlight.acquire();
            long start = intervalNanos > 0 ? due : System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i % bodies.size())))
                    .build();
            // The callback counts the request's outcome, failed or not.
            Future<?> unused = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        inFlight.release();
                        if (error != null) {
                            count(-1);
                        } else if (response.statusCode() != 200) {
                            count(response.statusCode());
                        } else {
                            acknowledged(start);
                        }
                    });
        }
    }

    private void webSocket(List<String> frames) throws Exception {
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            Semaphore windowPermits = new Semaphore(window);
            AtomicLongArray sentAt = new AtomicLongArray(1 << 16);
            WebSocket socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(
                            URI.create(url.replaceFirst("^http", "ws") + "/ingest/" + pipeline),
                            new WebSocket.Listener() {
                                private final StringBuilder text = new StringBuilder();

                                @Override
                                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                    text.append(data);
                                    if (last) {
                                        String answer = text.toString();
                                        text.setLength(0);
                                        int at = answer.indexOf("\"seq\":") + 6;
                                        long seq = Long.parseLong(answer.substring(at, answer.indexOf(',', at)));
                                        long start = sentAt.get((int) (seq & 0xFFFF));
                                        if (answer.contains("\"success\":true")) {
                                            acknowledged(start);
                                        } else {
                                            count(answer.contains("backpressure") ? 429 : 400);
                                        }
                                        windowPermits.release();
                                    }
                                    ws.request(1);
                                    return null;
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
            int perConnectionRate = rate / concurrency;
            Thread sender = new Thread(
                    () -> {
                        long intervalNanos = perConnectionRate > 0 ? 1_000_000_000L / perConnectionRate : 0;
                        long due = System.nanoTime();
                        try {
                            for (long seq = 1; running; seq++) {
                                if (intervalNanos > 0) {
                                    due += intervalNanos;
                                    long wait = due - System.nanoTime();
                                    if (wait > 0) {
                                        TimeUnit.NANOSECONDS.sleep(wait);
                                    }
                                }
                                windowPermits.acquire();
                                sentAt.set((int) (seq & 0xFFFF), intervalNanos > 0 ? due : System.nanoTime());
                                socket.sendText(frames.get((int) (seq % frames.size())), true)
                                        .join();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "ws-sender-" + c);
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            sender.join();
        }
    }

    private void acknowledged(long startNanos) {
        if (measuring) {
            latency.recordValue(Math.max(1, (System.nanoTime() - startNanos) / 1000));
            acknowledgedRecords.addAndGet(recordsPerRequest);
            acknowledgedRequests.incrementAndGet();
        }
    }

    private void count(int status) {
        if (measuring) {
            failures.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        }
    }
}
