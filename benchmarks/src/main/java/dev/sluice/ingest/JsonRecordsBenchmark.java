package dev.sluice.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ingest endpoint's JSON check and split, per request body of the load benchmarks/ingest.sh sends (records of
 * about 200 B, five fields). A package neighbour of {@link JsonRecords}, which is not public API.
 *
 * <p>Run: {@code java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*' org.openjdk.jmh.Main
 * JsonRecordsBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JsonRecordsBenchmark {
    @Param({"1", "100"})
    public int records;

    private byte[] body;

    @Setup
    public void body() {
        StringJoiner array = new StringJoiner(",", "[", "]");
        for (int r = 0; r < records; r++) {
            String head = "{\"id\":\"" + r + "\",\"user\":\"u" + (r % 997)
                    + "\",\"event\":\"page_view\",\"ts\":\"2026-11-22T13:05:00Z\",\"url\":\"https://example.com/";
            array.add(head + "p".repeat(Math.max(0, 200 - head.length() - 2)) + "\"}");
        }
        String json = array.toString();
        body = (records == 1 ? json.substring(1, json.length() - 1) : json).getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public List<byte[]> split() {
        return JsonRecords.split(body, BodyFormat.JSON, 1 << 20);
    }
}
