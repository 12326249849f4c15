package dev.sluice.server.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/** How every API command prints: its text on stdout and 0, or the failure on stderr and 1. */
final class Output {
    interface Body {
        String render() throws ApiClient.Failure;
    }

    private Output() {}

    static int run(CommandSpec spec, Body body) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            String text = body.render();
            if (!text.isEmpty()) {
                out.println(text);
            }
            out.flush();
            return 0;
        } catch (ApiClient.Failure e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("sluice: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** Left-aligned columns, two spaces apart. */
    static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(
                        i < row.size() - 1
                                ? String.format(Locale.ROOT, "%-" + widths[i] + "s  ", row.get(i))
                                : row.get(i));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString().stripTrailing();
    }
}
