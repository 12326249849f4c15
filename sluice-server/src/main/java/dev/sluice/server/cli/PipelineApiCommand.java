package dev.sluice.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command about one pipeline, through the operator API: {@code sluice … <pipeline> [--url …] [--token …]}. */
abstract class PipelineApiCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<pipeline>", description = "the pipeline's name")
    String pipeline;
}
