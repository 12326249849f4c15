package dev.sluice.server;

import dev.sluice.config.StorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

/**
 * A real S3-compatible server (S3Proxy, filesystem backend) inside this JVM, for {@code sluice dev}.
 * Bucket {@code b} is the folder {@code <dir>/b} and every object a plain file in it, so DuckDB can
 * query the output in place.
 */
final class EmbeddedS3 implements AutoCloseable {
    static final String ACCESS_KEY = "sluice";
    static final String SECRET_KEY = "sluice-dev-secret";

    private final Path dir;
    private final String host;
    private S3Proxy proxy;
    private StorageConfig storage;

    private EmbeddedS3(Path dir, String host) {
        this.dir = dir;
        this.host = host;
    }

    static EmbeddedS3 start(Path dir, String host, int port) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the object store directory " + dir, e);
        }
        EmbeddedS3 s3 = new EmbeddedS3(dir, host);
        s3.startOn(port);
        return s3;
    }

    private void startOn(int port) {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem", props))
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .stopTimeout(0)
                .build();
        try {
            proxy.start();
            // start() returns before Jetty has bound its port.
            long deadline = System.currentTimeMillis() + 30_000;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(
                            "the embedded S3 server did not start within 30 s: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the embedded S3 server failed to start: " + e.getMessage(), e);
        }
        storage = new StorageConfig("http://" + host + ":" + proxy.getPort(), "us-east-1", ACCESS_KEY, SECRET_KEY);
    }

    StorageConfig storage() {
        return storage;
    }

    /** Stops serving, as an outage would; {@link #restart()} serves the same data on the same port again. */
    void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
        }
    }

    void restart() {
        if (proxy == null) {
            startOn(URI.create(storage.endpoint()).getPort());
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
