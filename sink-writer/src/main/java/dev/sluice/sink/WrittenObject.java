package dev.sluice.sink;

/**
 * An object the sink has durably written; the seed of an event notification.
 *
 * @param pipeline pipeline name
 * @param bucket   bucket
 * @param key      object key
 * @param size     object size in bytes
 * @param eTag     the store's ETag
 * @param records  records in the object
 * @param reason   which batch limit closed it
 */
public record WrittenObject(
        String pipeline, String bucket, String key, long size, String eTag, long records, CloseReason reason) {}
