package dev.sluice.server.admin;

/**
 * One pipeline's figures from Kafka offsets, as the server's backlog monitor measured them about once a second. Offsets
 * count transaction markers too, so every figure is approximate (a few per committed transaction).
 *
 * @param recordsIn          records ever written to the pipeline's topic
 * @param recordsOut         records ever written to its output topic (after transforms)
 * @param inPerSecond        records in per second between the last two measurements; 0 after the first
 * @param outPerSecond       records out per second, likewise
 * @param deadLettered       records in its dead-letter topic now
 * @param backlog            records accepted but not yet in an object (what the 429 limit is measured on)
 * @param processorLag       records in its topic the processor has not committed yet
 * @param freshnessSeconds   how long ago the oldest record not yet in an object was accepted; 0 when none waits
 * @param sampledAtMillis    when, since the epoch
 * @param sampledAtNanos     when, by System.nanoTime(), for the rates
 */
public record PipelineStats(
        long recordsIn,
        long recordsOut,
        double inPerSecond,
        double outPerSecond,
        long deadLettered,
        long backlog,
        long processorLag,
        double freshnessSeconds,
        long sampledAtMillis,
        long sampledAtNanos) {

    /** A measurement, with rates against the {@code previous} one (null for the first). */
    public static PipelineStats measured(
            PipelineStats previous,
            long sampledAtMillis,
            long sampledAtNanos,
            long recordsIn,
            long recordsOut,
            long deadLettered,
            long backlog,
            long processorLag,
            double freshnessSeconds) {
        double inRate = 0;
        double outRate = 0;
        if (previous != null && sampledAtNanos > previous.sampledAtNanos) {
            double seconds = (sampledAtNanos - previous.sampledAtNanos) / 1e9;
            inRate = Math.max(0, recordsIn - previous.recordsIn) / seconds;
            outRate = Math.max(0, recordsOut - previous.recordsOut) / seconds;
        }
        return new PipelineStats(
                recordsIn,
                recordsOut,
                inRate,
                outRate,
                deadLettered,
                backlog,
                processorLag,
                freshnessSeconds,
                sampledAtMillis,
                sampledAtNanos);
    }
}
