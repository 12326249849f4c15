package dev.sluice.server;

import dev.sluice.server.cli.BackfillCommand;
import dev.sluice.server.cli.DlqCommand;
import dev.sluice.server.cli.PipelinesCommand;
import dev.sluice.server.cli.StatusCommand;
import dev.sluice.server.cli.TailCommand;
import dev.sluice.server.cli.WorkflowsCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice}: the one binary. {@code sluice dev} runs everything on this machine; {@code sluice run} runs roles against a real cluster and store. */
@Command(
        name = "sluice",
        mixinStandardHelpOptions = true,
        version = "sluice 0.1.0-SNAPSHOT",
        description = "Streaming ingestion: JSON over HTTP and Kafka into query-ready objects in S3.",
        subcommands = {
            DevCommand.class,
            RunCommand.class,
            StatusCommand.class,
            PipelinesCommand.class,
            TailCommand.class,
            DlqCommand.class,
            BackfillCommand.class,
            WorkflowsCommand.class,
            CommandLine.HelpCommand.class,
            AutoComplete.GenerateCompletion.class
        })
public final class SluiceCli implements Runnable {

    public static void main(String[] args) {
        int exit = new CommandLine(new SluiceCli()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
