package dev.sluice.benchmarks;

import static org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING;

import io.javalin.Javalin;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How many single-record requests per second the HTTP stack itself answers on this machine, with no
 * Kafka behind it: {@code POST /ingest/{pipeline}} read in full and answered with the ingest
 * endpoint's 200 body. {@code --stack javalin-async} is the shape of the real endpoint (Javalin, the
 * answer completed from another thread), {@code javalin} answers on the request thread, {@code jetty}
 * is a Jetty core handler without the servlet layer. Drive it with {@link IngestLoad}; it runs until
 * killed.
 */
@Command(name = "http-stack-ceiling", mixinStandardHelpOptions = true)
public final class HttpStackCeiling implements Callable<Integer> {
    private static final byte[] ANSWER = "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"committed\":1}}"
            .getBytes(StandardCharsets.UTF_8);

    @Option(names = "--stack", defaultValue = "javalin-async", description = "javalin-async, javalin or jetty")
    String stack;

    @Option(names = "--port", defaultValue = "18081")
    int port;

    private final ExecutorService replies = Executors.newFixedThreadPool(2);

    public static void main(String[] args) {
        System.exit(new CommandLine(new HttpStackCeiling()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        switch (stack) {
            case "javalin-async", "javalin" -> javalin(stack.equals("javalin-async"));
            case "jetty" -> jetty();
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--stack must be javalin-async, javalin or jetty");
        }
        System.out.println("serving " + stack + " on 127.0.0.1:" + port);
        new CountDownLatch(1).await();
        return 0;
    }

    private void javalin(boolean async) {
        Javalin.create(cfg -> {
                    cfg.startup.showJavalinBanner = false;
                    cfg.routes.post("/ingest/{pipeline}", ctx -> {
                        ctx.header("X-Request-Id", "r");
                        byte[] body = ctx.bodyAsBytes();
                        if (!async) {
                            ctx.contentType("application/json").result(ANSWER);
                            return;
                        }
                        ctx.future(() -> CompletableFuture.supplyAsync(() -> body.length, replies)
                                .thenAccept(
                                        n -> ctx.contentType("application/json").result(ANSWER)));
                    });
                })
                .start("127.0.0.1", port);
    }

    private void jetty() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // BLOCKING, as in the real handler: the answer is written from a worker, not the selector.
                Content.Source.asByteArrayAsync(
                        request,
                        Integer.MAX_VALUE - 8,
                        Promise.Invocable.from(
                                BLOCKING,
                                (body, error) -> replies.execute(() -> {
                                    if (error != null) {
                                        Response.writeError(request, response, callback, error);
                                        return;
                                    }
                                    response.setStatus(200);
                                    response.getHeaders().put("X-Request-Id", "r");
                                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                                    response.write(true, ByteBuffer.wrap(ANSWER), callback);
                                })));
                return true;
            }
        });
        server.start();
    }
}
