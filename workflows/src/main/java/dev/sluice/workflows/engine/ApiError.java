package dev.sluice.workflows.engine;

/** A refusal of the workflows REST API: an HTTP status and a message, sent in the v4 envelope. */
final class ApiError extends RuntimeException {
    final int status;
    final int code;

    ApiError(int status, int code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static ApiError notFound(String message) {
        return new ApiError(404, 10404, message);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, 10400, message);
    }
}
