package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sluice generate-completion}: a bash/zsh completion script that knows every command. */
class CompletionTest {
    @Test
    void theScriptCompletesEveryCommand() {
        CliRun run = CliRun.sluice("generate-completion");
        assertEquals(0, run.exit(), run.err());
        assertTrue(
                run.out().contains("complete -F _complete_sluice"),
                run.out().lines().limit(5).toList().toString());
        for (String command :
                List.of("dev", "run", "status", "pipelines", "tail", "dlq", "backfill", "workflows", "send-event")) {
            assertTrue(run.out().contains(command), command);
        }
    }
}
