package dev.sluice.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.workflows.NonRetryableException;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowContext;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.WorkflowStep;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Started by an object notification: reads the NDJSON object back through the S3 API, counts its rows
 * by a field, writes the counts as {@code {summaryPrefix}/{object key}.json} beside the data, and
 * returns the number of rows.
 *
 * <pre>{@code
 * workflows:
 *   - name: index-objects
 *     class: dev.sluice.examples.IndexObject
 *     config: { countBy: type, summaryPrefix: summaries }
 *     trigger: { notifications: { pipeline: events } }
 * }</pre>
 */
public final class IndexObject implements Workflow {
    private static final ObjectMapper JSON = new ObjectMapper();

    private S3Client s3;
    private String countBy;
    private String summaryPrefix;

    @Override
    public void open(WorkflowContext context) {
        countBy = context.configString("countBy", "type");
        summaryPrefix = context.configString("summaryPrefix", "summaries");
        s3 = client(context.storage());
    }

    @Override
    public Object run(WorkflowEvent event, WorkflowStep step) {
        String bucket = event.payload().path("bucket").asText();
        String key = event.payload().path("object").path("key").asText();
        Map<String, Long> counts =
                step.run("count rows", new TypeReference<Map<String, Long>>() {}, () -> count(bucket, key));
        long rows = counts.values().stream().mapToLong(Long::longValue).sum();
        step.run("write summary", () -> {
            String summary =
                    JSON.writeValueAsString(Map.of("object", key, "rows", rows, "by", countBy, "counts", counts));
            String summaryKey = summaryPrefix + "/" + key + ".json";
            s3.putObject(
                    b -> b.bucket(bucket).key(summaryKey).contentType("application/json"),
                    RequestBody.fromString(summary));
            return summaryKey;
        });
        return rows;
    }

    private Map<String, Long> count(String bucket, String key) throws IOException {
        if (key.endsWith(".parquet")) {
            throw new NonRetryableException("IndexObject reads NDJSON objects; " + key + " is Parquet");
        }
        Map<String, Long> counts = new TreeMap<>();
        try (InputStream raw = s3.getObject(b -> b.bucket(bucket).key(key));
                InputStream in = key.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    JsonNode value = JSON.readTree(line).path(countBy);
                    counts.merge(value.isMissingNode() || value.isNull() ? "(none)" : value.asText(), 1L, Long::sum);
                }
            }
        } catch (NoSuchKeyException e) {
            throw new NonRetryableException("object s3://" + bucket + "/" + key + " does not exist");
        }
        return counts;
    }

    private static S3Client client(WorkflowContext.Storage storage) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(storage.region()))
                .httpClientBuilder(Apache5HttpClient.builder())
                .forcePathStyle(true);
        if (storage.endpoint() != null) {
            builder.endpointOverride(URI.create(storage.endpoint()));
        }
        builder.credentialsProvider(
                storage.accessKey() != null
                        ? StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(storage.accessKey(), storage.secretKey()))
                        : DefaultCredentialsProvider.builder().build());
        return builder.build();
    }

    @Override
    public void close() {
        if (s3 != null) {
            s3.close();
        }
    }
}
