package dev.sluice.health;

/**
 * One dependency {@code GET /healthz} reports on, e.g. Kafka or the object store.
 *
 * <pre>{@code
 * HealthCheck kafka = HealthCheck.of("kafka", () -> admin.describeCluster().nodes().get(2, SECONDS));
 * }</pre>
 */
public interface HealthCheck {
    String name();

    /** Returns normally when the dependency is reachable; throws with the reason otherwise. */
    void check() throws Exception;

    static HealthCheck of(String name, Probe probe) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void check() throws Exception {
                probe.run();
            }
        };
    }

    @FunctionalInterface
    interface Probe {
        void run() throws Exception;
    }
}
