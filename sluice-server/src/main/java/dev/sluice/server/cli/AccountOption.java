package dev.sluice.server.cli;

import picocli.CommandLine.Option;

/** The account in the workflows API's paths ({@code storage.account}): for the commands that reach workflows. */
public final class AccountOption {
    @Option(
            names = "--account",
            defaultValue = "${env:SLUICE_ACCOUNT:-sluice}",
            description =
                    "storage.account, in the workflows API's paths (default: $SLUICE_ACCOUNT, else ${DEFAULT-VALUE})")
    String account;
}
