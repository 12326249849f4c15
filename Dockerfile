# syntax=docker/dockerfile:1
# The Sluice server image: `sluice run` from the jar the Maven wrapper builds (sluice-server/target/sluice.jar + lib/).
#   docker build -t sluice:local .
#   docker run -v $PWD/sluice.yaml:/etc/sluice/sluice.yaml:ro -p 8080:8080 -p 8081:8081 sluice:local
# The default command runs every role; `compose.yaml` runs each role as its own service. JVM options go in
# JAVA_TOOL_OPTIONS (e.g. -Xmx1g), which the JVM reads itself.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# The cache mount keeps Maven's repository between builds (BuildKit, the default builder since Docker 23);
# locked, because compose.yaml's services all name this build and may start it at once.
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    ./mvnw -B -q -DskipTests -pl sluice-server -am package

FROM eclipse-temurin:17-jre
# curl for the health check; a user of its own, and the data directory it owns (a named volume mounted
# there starts with this owner).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 sluice \
    && useradd --system --uid 10001 --gid sluice --home-dir /var/lib/sluice --shell /usr/sbin/nologin sluice \
    && mkdir -p /var/lib/sluice /etc/sluice \
    && chown sluice:sluice /var/lib/sluice
# sluice.jar's manifest puts lib/*.jar on its class path (sluice-server/pom.xml); the libraries change less
# often than the jar, so they are their own layer.
COPY --from=build /src/sluice-server/target/lib/ /opt/sluice/lib/
COPY --from=build /src/sluice-server/target/sluice.jar /opt/sluice/sluice.jar

USER sluice
WORKDIR /var/lib/sluice
VOLUME /var/lib/sluice
# 8080: ingest HTTP and WebSocket (and the workflows REST API); 8081: the admin port, /healthz and /metrics.
EXPOSE 8080 8081
# /healthz answers 200 once every role of the process runs and Kafka and the store answer; 503 naming what does not.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8081/healthz || exit 1

ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/sluice/sluice.jar"]
CMD ["run", "--config", "/etc/sluice/sluice.yaml", "--data-dir", "/var/lib/sluice", "--host", "0.0.0.0"]
