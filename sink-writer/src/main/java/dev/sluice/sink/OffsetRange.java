package dev.sluice.sink;

/** The first and last offset of one source partition's records in a batch (other batches' records may lie between). */
record OffsetRange(long first, long last) {
    boolean contains(long offset) {
        return offset >= first && offset <= last;
    }
}
