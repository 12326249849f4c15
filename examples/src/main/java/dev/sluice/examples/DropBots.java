package dev.sluice.examples;

import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;
import java.util.List;
import java.util.Locale;

/**
 * Drops records whose user agent looks like a bot; passes the rest unchanged.
 *
 * <pre>{@code
 * - label: drop-bots
 *   class: dev.sluice.examples.DropBots
 *   config: { field: userAgent, markers: [bot, crawler, spider] }   # the defaults
 * }</pre>
 */
public final class DropBots implements Transform {
    private String field = "userAgent";
    private List<String> markers = List.of("bot", "crawler", "spider", "slurp", "headless");

    @Override
    public void open(TransformContext context) {
        field = context.configString("field", field);
        markers = context.configStrings("markers", markers).stream()
                .map(m -> m.toLowerCase(Locale.ROOT))
                .toList();
    }

    @Override
    public void apply(Record record, Emitter out) {
        String agent = record.getString(field);
        if (agent != null) {
            String lower = agent.toLowerCase(Locale.ROOT);
            for (String marker : markers) {
                if (lower.contains(marker)) {
                    return;
                }
            }
        }
        out.emit(record);
    }
}
